-- One gate's call on the rate budget its account shares across the deployment (shared-budget.ts).
-- KEYS: 1 state hash {remaining, reset, peak, pause}, 2 held hash {lease id -> tokens}, 3 lease expiries (zset).
-- ARGV: 1 now (ms), 2 lease id, 3 tokens this gate holds now (unused plus in flight), 4 tokens wanted,
--       5 lowest remaining its responses reported ('' for none), 6 that window's reset (ms),
--       7 reserve, 8 tokens held at most account-wide, 9 lease ms, 10 poll ms, 11 key margin ms,
--       12 tokens this gate may hold while no budget was ever reported (its parallelism).
-- Returns {tokens granted, pause until (ms), retry at (ms; 0 when granted or nothing wanted)}.
local now = tonumber(ARGV[1])
local id = ARGV[2]
local held = tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local reserve = tonumber(ARGV[7])
local cap = tonumber(ARGV[8])
local leaseMs = tonumber(ARGV[9])
local pollMs = tonumber(ARGV[10])
local margin = tonumber(ARGV[11])
local blind = tonumber(ARGV[12])

-- a process that stopped renewing (it died) holds nothing any more
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do
  redis.call('HDEL', KEYS[2], dead)
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)

local s = redis.call('HMGET', KEYS[1], 'remaining', 'reset', 'peak', 'pause')
local remaining, reset, peak = tonumber(s[1]), tonumber(s[2]), tonumber(s[3])
local pause = tonumber(s[4]) or 0
if ARGV[5] ~= '' then
  local r, at = tonumber(ARGV[5]), tonumber(ARGV[6])
  -- Answers arrive out of order: within one window the lowest count is the freshest, and an
  -- answer from an earlier window says nothing about the current one.
  if reset == nil or at > reset then
    remaining, reset, peak = r, at, r
  elseif at == reset then
    remaining = math.min(remaining, r)
    peak = math.max(peak, r)
  end
  redis.call('HSET', KEYS[1], 'remaining', remaining, 'reset', reset, 'peak', peak)
end

local others = 0
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  if all[i] ~= id then others = others + tonumber(all[i + 1]) end
end

-- Every token held is a request the source may not have counted yet. Once the reported window has
-- passed and no answer from the next one came, that one is taken to be as large as the last looked,
-- and never smaller than the gate's parallelism: a window first seen spent (a 429 with remaining 0)
-- has a peak of 0, and without probes no answer would ever report the next window.
local spendable = cap - others - held
local budget = nil
if reset ~= nil and reset > now then
  budget = remaining
  spendable = math.min(spendable, budget - reserve - others - held)
elseif reset ~= nil then
  spendable = math.min(spendable, math.max(peak - reserve - others, blind) - held)
else
  -- Nothing reported yet (or a source that never reports): no more out per gate than it may send
  -- at once, as a gate alone would, until the first answers tell the budget.
  spendable = math.min(spendable, blind - held)
end

local granted, retry = 0, 0
if pause > now then
  retry = pause
elseif want > 0 then
  granted = math.max(0, math.min(want, spendable))
  if granted == 0 then
    retry = now + pollMs
    -- Spent, and no request out whose answer could still lower the count: nothing frees before the reset.
    if budget ~= nil and reset > now and others == 0 and held == 0 then retry = reset end
  end
end

local mine = held + granted
if mine > 0 then
  redis.call('HSET', KEYS[2], id, mine)
  redis.call('ZADD', KEYS[3], now + leaseMs, id)
else
  redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
end
local keep = math.max(reset or 0, pause, now + leaseMs) + margin
for i = 1, 3 do redis.call('PEXPIREAT', KEYS[i], keep) end
return {granted, pause, retry}
