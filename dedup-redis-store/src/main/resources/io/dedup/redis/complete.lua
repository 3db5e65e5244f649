-- Completes held keys, in order. KEYS: the records. ARGV: retention ms, then one per key: the final state (S
-- succeeded, F failed), the token, ':' and the body. Answers one per key: 1 applied, 0 fenced,
-- 'E<reason>' / 'W<reason>' as in claim.
local now = clock()
local expireAt = num(now + tonumber(ARGV[1]))

local replies = {}
for i, key in ipairs(KEYS) do
  local arg = ARGV[i + 1]
  local colon = string.find(arg, ':', 2, true)
  local r, code, reason = read(key)
  if code then
    replies[i] = code .. reason
  elseif not r or r.s ~= 'P' or num(r.t) ~= string.sub(arg, 2, colon - 1) then
    replies[i] = 0
  else
    redis.call('SET', key,
      encode({s = string.sub(arg, 1, 1), t = r.t, a = r.a, time = now, f = r.f, b = string.sub(arg, colon + 1)}),
      'PXAT', expireAt)
    replies[i] = 1
  end
end
return replies
