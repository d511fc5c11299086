-- Records how a claimed attempt went, unless its lease lapsed meanwhile (another process owns the
-- callback now and its own outcome counts).
-- KEYS[1] callback (hash)  KEYS[2] callbacks due (zset)
-- ARGV[1] claim token  ARGV[2] status: pending | delivered | failed  ARGV[3] last error ('' = none)
-- ARGV[4] next attempt ms (pending)  ARGV[5] job id
-- Returns 1 when recorded, 0 when the lease was lost.
if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'lease')
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'last_error', ARGV[3])
if ARGV[2] == 'pending' then
  redis.call('HSET', KEYS[1], 'next_at', ARGV[4])
  redis.call('ZADD', KEYS[2], tonumber(ARGV[4]), ARGV[5])
else
  -- nothing more to send: the body is dropped, the status stays visible until the entry expires
  redis.call('HDEL', KEYS[1], 'next_at', 'body')
  redis.call('ZREM', KEYS[2], ARGV[5])
end
return 1
