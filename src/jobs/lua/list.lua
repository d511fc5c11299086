-- One page of a job index, newest first, without scanning the keyspace. Ids whose record has
-- expired are dropped from the index as they are met, and a bounded number of old entries
-- (created more than one TTL ago) are checked and dropped first so that `total` stays honest.
-- Bounded: at most `limit` + 1000 ids are looked at per call; a page cut short by that bound
-- (a long run of expired ids) still carries a next_cursor, so the caller pages on.
-- KEYS[1] index sorted set
-- ARGV[1] exclusive max score ('+inf' for the first page)  ARGV[2] limit  ARGV[3] record key prefix
-- ARGV[4] oldest live score (scores below may have expired)
-- Returns {total, next_cursor or '', json...}
local set, limit, prefix = KEYS[1], tonumber(ARGV[2]), ARGV[3]
for _, id in ipairs(redis.call('ZRANGEBYSCORE', set, '-inf', ARGV[4], 'LIMIT', 0, 200)) do
  if redis.call('EXISTS', prefix .. id) == 0 then redis.call('ZREM', set, id) end
end
local out, max, last, seen, examined, budget = {}, ARGV[1], nil, nil, 0, limit + 1000
if max ~= '+inf' then max = '(' .. max end
while #out < limit and examined < budget do
  local batch = redis.call('ZREVRANGEBYSCORE', set, max, '-inf', 'WITHSCORES', 'LIMIT', 0, math.min(limit - #out, budget - examined))
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    local id, score = batch[i], batch[i + 1]
    local json = redis.call('GET', prefix .. id)
    if json then out[#out + 1] = json; last = score else redis.call('ZREM', set, id) end
    max = '(' .. score
    seen = score
    examined = examined + 1
  end
end
local cut = nil
if #out == limit then cut = last elseif examined >= budget then cut = seen end
local nextCursor = ''
if cut and #redis.call('ZREVRANGEBYSCORE', set, '(' .. cut, '-inf', 'LIMIT', 0, 1) > 0 then
  nextCursor = cut
end
local result = {redis.call('ZCARD', set), nextCursor}
for _, j in ipairs(out) do result[#result + 1] = j end
return result
