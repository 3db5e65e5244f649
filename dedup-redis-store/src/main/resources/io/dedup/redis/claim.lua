-- Claims one key. KEYS[1]: the record. ARGV: lease ms, retention ms, '1' if a fingerprint is given, fingerprint.
-- Fields: s state (P in progress, C completed, R released), t token, a attempts, l lease end (ms),
-- f fingerprint, o outcome status, c completed at (ms), b outcome body. Times are Redis' own clock.
local key = KEYS[1]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local r = redis.call('HMGET', key, 's', 't', 'a', 'l', 'f', 'o', 'c', 'b')
local state = r[1]
local hasFingerprint = ARGV[3] == '1'
-- A new record's token is the server clock in microseconds, so tokens stay unique for the key even after an
-- earlier record of it expired; an existing record's successor token is at least its token + 1.
local token = tonumber(time[1]) * 1000000 + tonumber(time[2])
local attempts = 1
if state then
  local lastToken = tonumber(r[2])
  local lastAttempts = tonumber(r[3])
  if not lastToken or not lastAttempts then
    return {'E', 'token or attempts missing'}
  end
  if hasFingerprint and r[5] and r[5] ~= ARGV[4] then
    return {'X'}
  end
  if state == 'C' then
    local completedAt = tonumber(r[7])
    if not r[6] or not completedAt then
      return {'E', 'outcome missing'}
    end
    return {'D', r[6], completedAt, r[8] or ''}
  elseif state == 'P' then
    local leaseUntil = tonumber(r[4])
    if not leaseUntil then
      return {'E', 'lease end missing'}
    end
    if leaseUntil > now then
      return {'P', leaseUntil}
    end
  elseif state ~= 'R' then
    return {'E', 'unknown state'}
  end
  attempts = lastAttempts + 1
  if lastToken + 1 > token then
    token = lastToken + 1
  end
elseif redis.call('EXISTS', key) == 1 then
  return {'E', 'state missing'}
end
local leaseUntil = now + tonumber(ARGV[1])
redis.call('DEL', key)
if hasFingerprint then
  redis.call('HSET', key, 's', 'P', 't', token, 'a', attempts, 'l', leaseUntil, 'f', ARGV[4])
else
  redis.call('HSET', key, 's', 'P', 't', token, 'a', attempts, 'l', leaseUntil)
end
redis.call('PEXPIREAT', key, leaseUntil + tonumber(ARGV[2]))
return {'A', token, attempts, leaseUntil}
