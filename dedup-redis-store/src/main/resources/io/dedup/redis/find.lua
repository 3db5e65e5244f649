-- Reads a record with its expiry, by Redis' clock. KEYS[1]: the record. Answers {} when there is none, else
-- {state, token, attempts, time, 1 and the fingerprint or 0 and '', body, expires at, ms left}, or
-- {'E<reason>'} / {'W<reason>'}.
local key = KEYS[1]
local r, code, reason = read(key)
if code then
  return {code .. reason}
end
if not r then
  return {}
end
local ttl = redis.call('PTTL', key)
local now = clock()
return {r.s, num(r.t), r.a, num(r.time), r.f and 1 or 0, r.f or '', r.b, now + ttl, ttl}
