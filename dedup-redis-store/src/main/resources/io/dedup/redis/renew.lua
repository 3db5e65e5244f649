-- Extends the lease of a held key. KEYS[1]: the record. ARGV: token, lease ms. Answers {1} applied, {0} fenced.
-- The record keeps the same time after its lease as before the renewal.
local key = KEYS[1]
local r, answer = held(key, ARGV[1])
if not r then
  return answer
end
local ttl = redis.call('PTTL', key)
if ttl < 0 then
  return {'Eexpiry missing'}
end
local now = clock()
local keepAfterLease = math.max(0, now + ttl - r.time)
r.time = now + tonumber(ARGV[2])
redis.call('SET', key, encode(r), 'PXAT', num(r.time + keepAfterLease))
return {1}
