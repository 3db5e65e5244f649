-- The record of one key, shared by every script (the store puts this text before each script's own).
-- A record is one Redis string, in one of two forms:
--   general:  <state><token>:<attempts>:<time>:<fingerprint length>:<fingerprint><body>
--             state P in progress (time: lease end), R released (time: release), S / F completed, succeeded or
--             failed (time: completion); the fingerprint length is empty when the claim had none.
--   compact:  [-]<token><dddd>, all digits, which Redis stores as one 64-bit integer: a completed record with no
--             body, no fingerprint and one attempt; '-' when failed; dddd the completion time in milliseconds
--             after the token's own time (the token counts microseconds), so it needs 0 <= dddd <= 9999.
-- Tokens are max(previous token + 1, Redis' clock in microseconds since 2025-01-01): they rise across the expiry
-- of the record too. Times are milliseconds since 1970 by Redis' clock. Records of the earlier format (a hash
-- with the fields s, t, l, f, c, b) are read as well; a claim that acquires one rewrites it in this format.
local EPOCH_S = 1735689600
local EPOCH_MS = EPOCH_S * 1000
local LONGEST_COMPACT_TOKEN = 922337203685476

-- A whole number as digits. tostring (%.14g) is exact and about twice as fast below 10^14, which holds every
-- time in milliseconds and, until 2028, every token.
local function num(n)
  if n < 100000000000000 and n > -100000000000000 then
    return tostring(n)
  end
  return string.format('%.0f', n)
end

-- 0 <= n <= 9999 as four digits.
local function pad4(n)
  local s = tostring(n)
  return string.rep('0', 4 - #s) .. s
end

-- Redis' clock: milliseconds since 1970, and microseconds since EPOCH_S (the token clock).
local function clock()
  local t = redis.call('TIME')
  local s, us = tonumber(t[1]), tonumber(t[2])
  return s * 1000 + math.floor(us / 1000), (s - EPOCH_S) * 1000000 + us
end

local function parse(v)
  local minus, digits = string.match(v, '^(%-?)(%d+)$')
  if digits then
    if #digits < 14 or string.byte(digits, 1) == 48 then
      return nil, 'E', 'unreadable record'
    end
    local token = tonumber(string.sub(digits, 1, -5))
    local time = EPOCH_MS + math.floor(token / 1000) + tonumber(string.sub(digits, -4))
    return {s = minus == '-' and 'F' or 'S', t = token, a = 1, time = time, b = ''}
  end
  local s, t, a, time, fpLen, rest = string.match(v, '^([PRSF])(%d+):(%d+):(%d+):(%d*):(.*)$')
  if not s then
    return nil, 'E', 'unreadable record'
  end
  local r = {s = s, t = tonumber(t), a = tonumber(a), time = tonumber(time), b = rest}
  if fpLen ~= '' then
    local n = tonumber(fpLen)
    if n > #rest then
      return nil, 'E', 'fingerprint cut short'
    end
    r.f = string.sub(rest, 1, n)
    r.b = string.sub(rest, n + 1)
  end
  return r
end

local function encode(r)
  if (r.s == 'S' or r.s == 'F') and r.a == 1 and not r.f and r.b == ''
      and r.t >= 1000000000 and r.t <= LONGEST_COMPACT_TOKEN then
    local after = r.time - EPOCH_MS - math.floor(r.t / 1000)
    if after >= 0 and after <= 9999 then
      return (r.s == 'F' and '-' or '') .. num(r.t) .. pad4(after)
    end
  end
  local fp = r.f and (#r.f .. ':' .. r.f) or ':'
  return r.s .. num(r.t) .. ':' .. r.a .. ':' .. num(r.time) .. ':' .. fp .. r.b
end

local LEGACY_FIELDS = {s = true, t = true, l = true, f = true, c = true, b = true}

-- A record of the earlier format: a hash, its token also its attempt count.
local function legacy(key)
  local all = redis.call('HGETALL', key)
  local h = {}
  for i = 1, #all, 2 do
    if not LEGACY_FIELDS[all[i]] then
      return nil, 'E', 'foreign field ' .. all[i]
    end
    h[all[i]] = all[i + 1]
  end
  if not h.s then
    return nil, 'E', 'state missing'
  end
  local token = tonumber(h.t)
  if not token then
    return nil, 'E', 'token missing'
  end
  local time
  if h.s == 'P' then
    time = tonumber(h.l)
  elseif h.s == 'S' or h.s == 'F' then
    time = tonumber(h.c)
  elseif h.s == 'R' then
    time = 0
  else
    return nil, 'E', 'unknown state ' .. h.s
  end
  if not time then
    return nil, 'E', 'time missing'
  end
  return {s = h.s, t = token, a = token, time = time, f = h.f, b = h.b or ''}
end

-- What the record in reply to GET (or SET ... GET) is: the record; or nil when there is none; or nil, a code
-- (E unreadable, W another type or Redis refused) and a reason.
local function interpret(key, v)
  if not v then
    return nil
  end
  if type(v) == 'table' then
    if v.err and string.sub(v.err, 1, 9) == 'WRONGTYPE' and redis.call('TYPE', key).ok == 'hash' then
      return legacy(key)
    end
    return nil, 'W', v.err or 'not a string'
  end
  return parse(v)
end

local function read(key)
  return interpret(key, redis.pcall('GET', key))
end

-- The record of key if it is held under token (the decimal text from ARGV): the record; or nil and the script's
-- answer, {0} fenced (no record, not in progress, or another token holds it) or {'E...'} / {'W...'} unreadable.
-- Comparing the token is the fencing: a holder whose lease was taken over has an older token and changes nothing.
local function held(key, token)
  local r, code, reason = read(key)
  if code then
    return nil, {code .. reason}
  end
  if not r or r.s ~= 'P' or num(r.t) ~= token then
    return nil, {0}
  end
  return r
end
