-- Creates a job: record and encrypted credentials (both EX ttl), the sorted-set indexes used for
-- listing (score = creation ms * 1000 + a sequence, so it is unique and pages are stable), and the
-- Idempotency-Key mapping. A replayed key returns the first job instead.
-- KEYS[1] record  KEYS[2] credentials  KEYS[3] idempotency key ('' slot when none)  KEYS[4] sequence
-- KEYS[5] callback (hash: the callback URL kept beside the record, for save.lua's outbox entry)
-- KEYS[6] dispatch (the queue entry's data, for the sweeper to re-make a lost entry)
-- KEYS[7] tenants (sorted set of the tenant tokens that have indexes, for their pruning)
-- ARGV[1] record JSON  ARGV[2] sealed credentials  ARGV[3] ttl  ARGV[4] job id  ARGV[5] request hash
-- ARGV[6] created ms  ARGV[7] tenant token  ARGV[8] status  ARGV[9] source type  ARGV[10] index prefix
-- ARGV[11] record key prefix  ARGV[12] most pending jobs the tenant may have (0 = no limit)
-- ARGV[13] callback URL ('' = none)  ARGV[14] dispatch JSON ('' = none)
-- Returns {'created', json} | {'replay', json} | {'reused'} (same key, different body) | {'gone'}
--   | {'quota', pending count} (TENANT_MAX_QUEUED reached; nothing written)
local ttl = tonumber(ARGV[3])
if ARGV[5] ~= '' then
  local prior = redis.call('GET', KEYS[3])
  if prior then
    local sep = string.find(prior, '|', 1, true)
    local priorId, priorHash = string.sub(prior, 1, sep - 1), string.sub(prior, sep + 1)
    if priorHash ~= ARGV[5] then return {'reused'} end
    local json = redis.call('GET', ARGV[11] .. priorId)
    if json then return {'replay', json} end
    return {'gone'}
  end
end
local quota = tonumber(ARGV[12])
if quota > 0 then
  local pending = ARGV[10] .. ARGV[7] .. ':pending:*'
  if redis.call('ZCARD', pending) >= quota then
    -- Ids whose record expired still sit in the index: drop a bounded number of the oldest first.
    for _, id in ipairs(redis.call('ZRANGE', pending, 0, 199)) do
      if redis.call('EXISTS', ARGV[11] .. id) == 0 then redis.call('ZREM', pending, id) end
    end
    local n = redis.call('ZCARD', pending)
    if n >= quota then return {'quota', tostring(n)} end
  end
end
if ARGV[5] ~= '' then redis.call('SET', KEYS[3], ARGV[4] .. '|' .. ARGV[5], 'EX', ttl) end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'EX', ttl) end
if ARGV[13] ~= '' then
  redis.call('HSET', KEYS[5], 'url', ARGV[13])
  redis.call('EXPIRE', KEYS[5], ttl)
end
if ARGV[14] ~= '' then redis.call('SET', KEYS[6], ARGV[14], 'EX', ttl) end
redis.call('ZADD', KEYS[7], 0, ARGV[7])
local seq = redis.call('INCR', KEYS[4]) % 1000
local score = tonumber(ARGV[6]) * 1000 + seq
local prefix = ARGV[10]
for _, t in ipairs({ARGV[7], '*'}) do
  for _, st in ipairs({ARGV[8], '*'}) do
    for _, s in ipairs({ARGV[9], '*'}) do
      redis.call('ZADD', prefix .. t .. ':' .. st .. ':' .. s, score, ARGV[4])
    end
  end
end
return {'created', ARGV[1]}
