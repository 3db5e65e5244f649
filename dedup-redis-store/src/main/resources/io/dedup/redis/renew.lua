-- Extends the lease of a held key. KEYS[1]: the record. ARGV: token, lease ms.
-- The record keeps the same time after its lease as before the renewal.
local key = KEYS[1]
local r = redis.call('HMGET', key, 's', 't', 'l')
if r[1] ~= 'P' or r[2] ~= ARGV[1] then
  return {'N'}
end
local lastLeaseUntil = tonumber(r[3])
local ttl = redis.call('PTTL', key)
if not lastLeaseUntil or ttl < 0 then
  return {'E', 'lease end or expiry missing'}
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local keepAfterLease = math.max(0, now + ttl - lastLeaseUntil)
local leaseUntil = now + tonumber(ARGV[2])
redis.call('HSET', key, 'l', leaseUntil)
redis.call('PEXPIREAT', key, leaseUntil + keepAfterLease)
return {'Y'}
