-- Gives a held key back; the record keeps its token and attempts. KEYS[1]: the record. ARGV: token, retention ms.
local key = KEYS[1]
local r = redis.call('HMGET', key, 's', 't')
if r[1] ~= 'P' or r[2] ~= ARGV[1] then
  return {'N'}
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('HDEL', key, 'l')
redis.call('HSET', key, 's', 'R')
redis.call('PEXPIREAT', key, now + tonumber(ARGV[2]))
return {'Y'}
