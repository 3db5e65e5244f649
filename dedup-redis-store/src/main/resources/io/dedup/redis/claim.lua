-- Claims keys, in order, as if each were claimed alone. KEYS: the records. ARGV: lease ms, retention ms, and '1'
-- when per-key fingerprints follow (then one ARGV per key: empty for none, else '=' and the fingerprint).
-- Answers {token of a new record, its lease end, then one answer per key}: 0 acquired a new record (attempt 1,
-- the token and lease end above); 'A<token>:<attempt>' acquired an existing record (the lease end above);
-- 'P<lease end>:<holder's token>' in progress; 'S<completed at>:<body>' or 'F...' completed; 'X' another fingerprint;
-- 'E<reason>' unreadable record; 'W<reason>' not a record or refused by Redis.
local now, nowUs = clock()
local lease, retention = tonumber(ARGV[1]), tonumber(ARGV[2])
local hasFingerprints = ARGV[3] == '1'
local leaseUntil = now + lease
local expireAt = num(leaseUntil + retention)
local fresh = encode({s = 'P', t = nowUs, a = 1, time = leaseUntil, b = ''})

local function takeOver(key, r, fingerprint)
  if fingerprint and r.f and r.f ~= fingerprint then
    return 'X'
  end
  if r.s == 'S' or r.s == 'F' then
    return r.s .. num(r.time) .. ':' .. r.b
  elseif r.s == 'P' then
    if r.time > now then
      return 'P' .. num(r.time) .. ':' .. num(r.t)
    end
  elseif r.s ~= 'R' then
    return 'Eunknown state ' .. r.s
  end
  local token = math.max(r.t + 1, nowUs)
  local attempt = r.a + 1
  redis.call('SET', key, encode({s = 'P', t = token, a = attempt, time = leaseUntil, f = fingerprint, b = ''}),
    'PXAT', expireAt)
  return 'A' .. num(token) .. ':' .. attempt
end

local replies = {nowUs, leaseUntil}
for i, key in ipairs(KEYS) do
  local fingerprint = nil
  local value = fresh
  if hasFingerprints and ARGV[3 + i] ~= '' then
    fingerprint = string.sub(ARGV[3 + i], 2)
    value = encode({s = 'P', t = nowUs, a = 1, time = leaseUntil, f = fingerprint, b = ''})
  end
  local r, code, reason = interpret(key, redis.pcall('SET', key, value, 'NX', 'PXAT', expireAt, 'GET'))
  if r then
    replies[i + 2] = takeOver(key, r, fingerprint)
  elseif code then
    replies[i + 2] = code .. reason
  else
    replies[i + 2] = 0
  end
end
return replies
