-- Live jobs in one index, for the jobs gauge: a bounded number of the oldest entries (created
-- more than one TTL ago, so possibly expired) are checked and dropped when their record is gone,
-- then the index is counted. A backlog of expired ids shrinks by ARGV[3] per call.
-- KEYS[1] index sorted set
-- ARGV[1] record key prefix  ARGV[2] oldest live score  ARGV[3] entries checked at most
-- Returns the number of ids left in the index
local set, prefix = KEYS[1], ARGV[1]
for _, id in ipairs(redis.call('ZRANGEBYSCORE', set, '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))) do
  if redis.call('EXISTS', prefix .. id) == 0 then redis.call('ZREM', set, id) end
end
return redis.call('ZCARD', set)
