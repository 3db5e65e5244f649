-- Completes held keys, in order. KEYS: the records. ARGV: retention ms, then one per key: the final state (S
-- succeeded, F failed), the token, ':' and the body. Answers one per key: 1 applied, 0 fenced,
-- 'E<reason>' / 'W<reason>' as in claim.
local now = clock()
local expireAt = num(now + tonumber(ARGV[1]))

-- The common case without parsing: held under this token, first attempt, no fingerprint, no body; the record
-- becomes the compact form. Answers nil when it is not that case.
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
  redis.call('SET', key, (state == 'F' and '-' or '') .. token .. pad4(after), 'PXAT', expireAt)
  return 1
end

local replies = {}
for i, key in ipairs(KEYS) do
  local arg = ARGV[i + 1]
  local colon = string.find(arg, ':', 2, true)
  local state, token = string.sub(arg, 1, 1), string.sub(arg, 2, colon - 1)
  local v = redis.pcall('GET', key)
  local answer = completeCompact(key, v, state, token, colon, #arg > colon)
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
