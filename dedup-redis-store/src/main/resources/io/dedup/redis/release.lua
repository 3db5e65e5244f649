-- Gives a held key back; the record keeps its token, attempts and fingerprint. KEYS[1]: the record. ARGV: token,
-- retention ms. Answers {1} applied, {0} fenced.
local key = KEYS[1]
local r, answer = held(key, ARGV[1])
if not r then
  return answer
end
local now = clock()
r.s = 'R'
r.time = now
redis.call('SET', key, encode(r), 'PXAT', num(now + tonumber(ARGV[2])))
return {1}
