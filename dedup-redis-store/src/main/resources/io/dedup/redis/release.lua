-- Gives a held key back; the record keeps its token, attempts and fingerprint. KEYS[1]: the record. ARGV: token,
-- retention ms. Answers {1} applied, {0} fenced.
local key = KEYS[1]
local r, code, reason = read(key)
if code then
  return {code .. reason}
end
if not r or r.s ~= 'P' or num(r.t) ~= ARGV[1] then
  return {0}
end
local now = clock()
r.s = 'R'
r.time = now
redis.call('SET', key, encode(r), 'PXAT', num(now + tonumber(ARGV[2])))
return {1}
