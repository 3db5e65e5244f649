-- Completes held keys, in order. KEYS: the records. ARGV: retention ms, then one per key: the final state (S
-- succeeded, F failed), the token, ':' and the body. Answers one per key: 1 applied, 0 fenced,
-- 'E<reason>' / 'W<reason>' as in claim.
local now = clock()
local expireAt = num(now + tonumber(ARGV[1]))

-- The common case without parsing: held under this token, first attempt, no fingerprint, no body; the record
-- becomes the compact form. Answers the compact record written, or nil when it is not that case.
local function completeCompact(key, v, state, token, colon, hasBody)
  if hasBody or type(v) ~= 'string' or string.byte(v, 1) ~= 80 or string.sub(v, 2, colon - 1) ~= token
      or string.byte(v, colon) ~= 58 or not string.find(v, '^1:%d+::$', colon + 1) then
    return nil
  end
  local t = tonumber(token)
  local after = now - EPOCH_MS - math.floor(t / 1000)
  if after < 0 or after > 9999 or t < 1000000000 or t > LONGEST_COMPACT_TOKEN then
    return nil
  end
  local compact = (state == 'F' and '-' or '') .. token .. pad4(after)
  redis.call('SET', key, compact, 'PXAT', expireAt)
  return compact
end

-- The keys of one batch were mostly claimed by one claim call, so they carry the same token and their records are
-- the same string: a key whose argument and record equal those of the last compact completion (Lua compares
-- strings by reference) gets the same compact record without the string work.
local lastArg, lastRecord, lastCompact

local replies = {}
for i, key in ipairs(KEYS) do
  local arg = ARGV[i + 1]
  local v = redis.pcall('GET', key)
  local answer
  if v == lastRecord and arg == lastArg then
    redis.call('SET', key, lastCompact, 'PXAT', expireAt)
    answer = 1
  end
  local colon, state, token
  if not answer then
    colon = string.find(arg, ':', 2, true)
    state, token = string.sub(arg, 1, 1), string.sub(arg, 2, colon - 1)
    local compact = completeCompact(key, v, state, token, colon, #arg > colon)
    if compact then
      lastArg, lastRecord, lastCompact = arg, v, compact
      answer = 1
    end
  end
  if not answer then
    local r, code, reason = interpret(key, v)
    if code then
      answer = code .. reason
    elseif not r or r.s ~= 'P' or num(r.t) ~= token then
      answer = 0
    else
      redis.call('SET', key,
        encode({s = state, t = r.t, a = r.a, time = now, f = r.f, b = string.sub(arg, colon + 1)}),
        'PXAT', expireAt)
      answer = 1
    end
  end
  replies[i] = answer
end
return replies
