-- One page of a job index, newest first, without scanning the keyspace. Ids whose record has
-- expired are dropped from the index as they are met, and a bounded number of old entries
-- (created more than one TTL ago) are checked and dropped first so that `total` stays honest.
-- KEYS[1] index sorted set
-- ARGV[1] exclusive max score ('+inf' for the first page)  ARGV[2] limit  ARGV[3] record key prefix
-- ARGV[4] oldest live score (scores below may have expired)
-- Returns {total, next_cursor or '', json...}
local set, limit, prefix = KEYS[1], tonumber(ARGV[2]), ARGV[3]
for _, id in ipairs(redis.call('ZRANGEBYSCORE', set, '-inf', ARGV[4], 'LIMIT', 0, 200)) do
  if redis.call('EXISTS', prefix .. id) == 0 then redis.call('ZREM', set, id) end
end
local out, max, last = {}, ARGV[1], nil
if max ~= '+inf' then max = '(' .. max end
while #out < limit do
  local batch = redis.call('ZREVRANGEBYSCORE', set, max, '-inf', 'WITHSCORES', 'LIMIT', 0, limit - #out)
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    local id, score = batch[i], batch[i + 1]
    local json = redis.call('GET', prefix .. id)
    if json then out[#out + 1] = json; last = score else redis.call('ZREM', set, id) end
    max = '(' .. score
  end
end
local nextCursor = ''
if last and #out == limit and #redis.call('ZREVRANGEBYSCORE', set, '(' .. last, '-inf', 'LIMIT', 0, 1) > 0 then
  nextCursor = last
end
local result = {redis.call('ZCARD', set), nextCursor}
for _, j in ipairs(out) do result[#result + 1] = j end
return result
