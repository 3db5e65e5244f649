-- Completes a held key. KEYS[1]: the record. ARGV: token, final state (S succeeded, F failed), body, retention ms.
local key = KEYS[1]
local r = redis.call('HMGET', key, 's', 't')
if r[1] ~= 'P' or r[2] ~= ARGV[1] then
  return {'N'}
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('HDEL', key, 'l')
if #ARGV[3] > 0 then
  redis.call('HSET', key, 's', ARGV[2], 'c', now, 'b', ARGV[3])
else
  redis.call('HSET', key, 's', ARGV[2], 'c', now)
end
redis.call('PEXPIREAT', key, now + tonumber(ARGV[4]))
return {'Y'}
