-- Reads a record with its expiry, by Redis' clock. KEYS[1]: the record.
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then
  return {'0'}
end
local r = redis.call('HMGET', key, 's', 't', 'l', 'f', 'c', 'b')
local ttl = redis.call('PTTL', key)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
return {'F', now + ttl, ttl, r[1], r[2], r[3], r[4], r[5], r[6]}
