-- Drops expired ids from the job indexes without any listing (a global index is never listed when
-- API keys are on): the global indexes, then each tenant's in name order, going on from a cursor.
-- In each index only entries created more than one TTL ago (possibly expired) are checked, oldest first.
-- Bounded: at most ARGV[4] entries are checked and ARGV[5] tenants visited per call. A tenant left
-- with no index at all is forgotten (create.lua adds it back with its next job).
-- KEYS[1] tenants (sorted set, all scores 0)
-- ARGV[1] index prefix  ARGV[2] record key prefix  ARGV[3] oldest live score  ARGV[4] entries checked at most
-- ARGV[5] tenants visited at most  ARGV[6] cursor from the last call ('' = start with the global indexes)
-- ARGV[7] statuses, comma separated  ARGV[8] source types, comma separated
-- Returns {ids dropped, entries checked, next cursor ('' = the next call starts over)}
local prefix, records, oldest = ARGV[1], ARGV[2], ARGV[3]
local budget, maxTenants, cursor = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local function split(s)
  local out = {'*'}
  for part in string.gmatch(s, '[^,]+') do out[#out + 1] = part end
  return out
end
local statuses, sources = split(ARGV[7]), split(ARGV[8])
local dropped, checked = 0, 0
local grid = {}
for _, st in ipairs(statuses) do
  for _, s in ipairs(sources) do grid[#grid + 1] = ':' .. st .. ':' .. s end
end

-- The cursor is "<tenant token>\t<index number>": where the last call stopped, so an index whose
-- oldest entries are live (a job kept alive for longer than a TTL) costs one visit per cycle.
local tenant, from = '*', 1
if cursor ~= '' then
  local sep = string.find(cursor, '\t', 1, true)
  tenant, from = string.sub(cursor, 1, sep - 1), tonumber(string.sub(cursor, sep + 1))
end
local visited = 0
while true do
  for i = from, #grid do
    if checked >= budget then return {dropped, checked, tenant .. '\t' .. i} end
    local set = prefix .. tenant .. grid[i]
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', set, '-inf', oldest, 'LIMIT', 0, budget - checked)) do
      checked = checked + 1
      if redis.call('EXISTS', records .. id) == 0 then
        redis.call('ZREM', set, id)
        dropped = dropped + 1
      end
    end
  end
  if tenant ~= '*' then
    local any = false
    for i = 1, #grid do
      if redis.call('EXISTS', prefix .. tenant .. grid[i]) == 1 then any = true break end
    end
    if not any then redis.call('ZREM', KEYS[1], tenant) end
    visited = visited + 1
  end
  local start = '-'
  if tenant ~= '*' then start = '(' .. tenant end
  local nextTenant = redis.call('ZRANGEBYLEX', KEYS[1], start, '+', 'LIMIT', 0, 1)[1]
  if not nextTenant then return {dropped, checked, ''} end
  if visited >= maxTenants then return {dropped, checked, nextTenant .. '\t1'} end
  tenant, from = nextTenant, 1
end
