-- A wait one process learned of (Retry-After, a spent budget, a secondary limit), for every process
-- of the account: kept in its state hash, where every lease reads it, and published at once.
-- KEYS: 1 state hash. ARGV: 1 pause until (ms), 2 now (ms), 3 key margin ms, 4 channel, 5 account.
-- Returns the pause in force.
local untilMs = tonumber(ARGV[1])
local pause = tonumber(redis.call('HGET', KEYS[1], 'pause')) or 0
if untilMs <= pause then return pause end
redis.call('HSET', KEYS[1], 'pause', ARGV[1])
local keep = untilMs + tonumber(ARGV[3])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 and tonumber(ARGV[2]) + ttl > keep then keep = tonumber(ARGV[2]) + ttl end
redis.call('PEXPIREAT', KEYS[1], keep)
redis.call('PUBLISH', ARGV[4], ARGV[5] .. ' ' .. ARGV[1])
return untilMs
