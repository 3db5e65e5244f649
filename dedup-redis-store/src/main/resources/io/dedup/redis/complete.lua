-- Completes held keys, in order. KEYS: the records. ARGV, four per key: token, final state (S succeeded,
-- F failed), body, retention ms. Answers one array per key: Y applied, N fenced.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local function complete(key, token, state, body, retention)
  local r = redis.pcall('HMGET', key, 's', 't')
  if r.err then
    return {'W', r.err}
  end
  if r[1] ~= 'P' or r[2] ~= token then
    return {'N'}
  end
  redis.call('HDEL', key, 'l')
  if #body > 0 then
    redis.call('HSET', key, 's', state, 'c', now, 'b', body)
  else
    redis.call('HSET', key, 's', state, 'c', now)
  end
  redis.call('PEXPIREAT', key, now + retention)
  return {'Y'}
end

local replies = {}
for i, key in ipairs(KEYS) do
  local a = (i - 1) * 4
  replies[i] = complete(key, ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], tonumber(ARGV[a + 4]))
end
return replies
