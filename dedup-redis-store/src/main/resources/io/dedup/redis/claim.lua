-- Claims keys, in order, as if each were claimed alone. KEYS: the records. ARGV, four per key: lease ms,
-- retention ms, '1' if a fingerprint is given, fingerprint. Answers one array per key.
-- Fields: s state (P in progress, R released, S completed and succeeded, F completed and failed), t token,
-- l lease end (ms), f fingerprint, c completed at (ms), b outcome body. Times are Redis' own clock.
-- The token is also the attempt number: both start at 1 and grow by one with every acquisition, and a record
-- keeps its token until it expires, so one field serves both.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

-- Our fields in HMGET order. HGETALL costs one call like HMGET and also shows a hash that is not ours (foreign
-- fields only looked like an absent key to HMGET, and was silently taken over).
local slots = {s = 1, t = 2, l = 3, f = 4, c = 5, b = 6}

local function claim(key, lease, retention, hasFingerprint, fingerprint)
  local all = redis.pcall('HGETALL', key)
  if all.err then
    return {'W', all.err}
  end
  local r = {}
  for i = 1, #all, 2 do
    local slot = slots[all[i]]
    if not slot then
      return {'E', 'foreign field ' .. all[i]}
    end
    r[slot] = all[i + 1]
  end
  local state = r[1]
  local token = 1
  if state then
    local lastToken = tonumber(r[2])
    if not lastToken then
      return {'E', 'token missing'}
    end
    if hasFingerprint and r[4] and r[4] ~= fingerprint then
      return {'X'}
    end
    if state == 'S' or state == 'F' then
      local completedAt = tonumber(r[5])
      if not completedAt then
        return {'E', 'completion time missing'}
      end
      return {'D', state, completedAt, r[6] or ''}
    elseif state == 'P' then
      local leaseUntil = tonumber(r[3])
      if not leaseUntil then
        return {'E', 'lease end missing'}
      end
      if leaseUntil > now then
        return {'P', leaseUntil}
      end
    elseif state ~= 'R' then
      return {'E', 'unknown state ' .. state}
    end
    token = lastToken + 1
    if r[4] and not hasFingerprint then
      redis.call('HDEL', key, 'f')
    end
  elseif r[2] or r[3] or r[4] or r[5] or r[6] then
    -- One of our fields without a state: a damaged record. (No EXISTS call: a new key costs one call less.)
    return {'E', 'state missing'}
  end
  local leaseUntil = now + lease
  if hasFingerprint then
    redis.call('HSET', key, 's', 'P', 't', token, 'l', leaseUntil, 'f', fingerprint)
  else
    redis.call('HSET', key, 's', 'P', 't', token, 'l', leaseUntil)
  end
  redis.call('PEXPIREAT', key, leaseUntil + retention)
  return {'A', token, token, leaseUntil}
end

local replies = {}
for i, key in ipairs(KEYS) do
  local a = (i - 1) * 4
  replies[i] = claim(key, tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3] == '1', ARGV[a + 4])
end
return replies
