-- Claims due callbacks for one delivery attempt each: the claim is a lease, so no two processes
-- send the same attempt, and one whose process dies comes due again when the lease lapses.
-- The attempt is counted here, at the claim, so an attempt lost with its process still counts.
-- KEYS[1] callbacks due (zset, score = next attempt ms)
-- ARGV[1] now ms  ARGV[2] lease ms  ARGV[3] most to claim  ARGV[4] claim token  ARGV[5] callback key prefix
-- ARGV[6] now ISO
-- Returns a flat list: job id, url, body, deadline ms, attempts (this one included), per claim.
local now = tonumber(ARGV[1])
local out = {}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do
  local key = ARGV[5] .. id
  local entry = redis.call('HMGET', key, 'status', 'url', 'body', 'deadline')
  if entry[1] == 'pending' and entry[2] and entry[3] then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), id)
    local attempts = redis.call('HINCRBY', key, 'attempts', 1)
    redis.call('HSET', key, 'lease', ARGV[4], 'last_attempt_at', ARGV[6])
    for _, v in ipairs({id, entry[2], entry[3], entry[4], tostring(attempts)}) do out[#out + 1] = v end
  else
    -- settled, or expired with its job
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
