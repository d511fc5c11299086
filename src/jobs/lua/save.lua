-- Saves a job change atomically: a status transition or a progress write (with its checkpoint).
-- Refuses illegal transitions: nothing leaves completed/failed/cancelled, so a late progress
-- write can never undo a cancel; a worker that no longer owns the job cannot write.
-- Counts the job's runs started without a clean end (CONTRACT §7 poison jobs): a worker taking the
-- job starts a run, a stored batch leaves only the current run counted, an end forgets them.
-- KEYS[1] record  KEYS[2] credentials  KEYS[3] checkpoint  KEYS[4] owner  KEYS[5] item counters (hash)
-- KEYS[6] unfinished runs (counter)  KEYS[7] callback (hash; `url` set at creation)  KEYS[8] callbacks due (zset)
-- ARGV[1] op: 'transition' | 'progress' | 'note' (a progress note of the owner: no checkpoint, no batch)
-- ARGV[2] target status (transition) or ''
-- ARGV[3] JSON patch: top-level fields to set; `progress` is merged field by field
-- ARGV[4] now ISO  ARGV[5] ttl seconds  ARGV[6] owner token ('' = not a worker: API cancel)
-- ARGV[7] checkpoint ('' = leave)  ARGV[8] JSON array of imported item refs to append
-- ARGV[9] JSON object of item counters to add  ARGV[10] index key prefix  ARGV[11] events channel
-- ARGV[12] cancel channel  ARGV[13] now epoch ms  ARGV[14] callback retry horizon ms
-- ARGV[15] callback entry ttl seconds
-- A job with a callback URL that ends gets its outbox entry here, in the same call as the end
-- itself, so no crash can fall between the two: the record as it ended is the body to send.
-- Returns {'ok', newJson, unfinishedRuns} ('' for newJson on a progress write) or {'refused', currentStatus} or {'missing'}.
local raw = redis.call('GET', KEYS[1])
if not raw then return {'missing'} end
local job = cjson.decode(raw)
local op, to, now, ttl, owner = ARGV[1], ARGV[2], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local from = job.status

local legal = {
  pending = { processing = true, cancelled = true, failed = true },
  processing = { processing = true, completed = true, failed = true, cancelled = true },
}
local currentOwner = redis.call('GET', KEYS[4])
if op == 'progress' or op == 'note' then
  if from ~= 'processing' or currentOwner ~= owner then return {'refused', from} end
else
  if not (legal[from] and legal[from][to]) then return {'refused', from} end
  -- a worker may only finish a job it owns; taking a job (-> processing) makes it the owner
  if owner ~= '' and to ~= 'processing' and currentOwner ~= owner then return {'refused', from} end
end

local patch = cjson.decode(ARGV[3])
for k, v in pairs(patch) do
  if k == 'progress' then
    for pk, pv in pairs(v) do job.progress[pk] = pv end
  else
    job[k] = v
  end
end
job.updated_at = now

local items = cjson.decode(ARGV[8])
if #items > 0 then
  local list = job.imported_items
  if type(list) ~= 'table' then list = {} end
  for _, it in ipairs(items) do
    if #list >= 1000 then break end
    list[#list + 1] = it
  end
  job.imported_items = list
end

local terminal = false
if op == 'transition' then
  job.status = to
  if to == 'processing' and job.started_at == cjson.null then job.started_at = now end
  if to == 'completed' or to == 'failed' or to == 'cancelled' then
    terminal = true
    job.completed_at = now
  end
end

local encoded = cjson.encode(job)
-- cjson writes an empty Lua table as an object; the contract wants an array
encoded = string.gsub(encoded, '"imported_items":{}', '"imported_items":[]')
redis.call('SET', KEYS[1], encoded, 'EX', ttl)

if op == 'transition' and to ~= from then
  local tenant = job.tenant_id
  if tenant == cjson.null then tenant = '~' end
  local prefix = ARGV[10]
  local score = redis.call('ZSCORE', prefix .. '*:*:*', job.job_id)
  for _, t in ipairs({tenant, '*'}) do
    for _, s in ipairs({job.source_type, '*'}) do
      redis.call('ZREM', prefix .. t .. ':' .. from .. ':' .. s, job.job_id)
      if score then redis.call('ZADD', prefix .. t .. ':' .. to .. ':' .. s, score, job.job_id) end
    end
  end
end

local runs = 0
if terminal then
  redis.call('DEL', KEYS[2], KEYS[4], KEYS[6])
  redis.call('EXPIRE', KEYS[3], ttl)
  if redis.call('HEXISTS', KEYS[7], 'url') == 1 then
    local due = tonumber(ARGV[13])
    redis.call('HSET', KEYS[7], 'status', 'pending', 'attempts', 0, 'body', encoded, 'next_at', due,
      'deadline', due + tonumber(ARGV[14]))
    redis.call('EXPIRE', KEYS[7], tonumber(ARGV[15]))
    redis.call('ZADD', KEYS[8], due, job.job_id)
  end
else
  redis.call('EXPIRE', KEYS[7], ttl)
  if op == 'transition' and to == 'processing' and owner ~= '' then
    runs = redis.call('INCR', KEYS[6])
    redis.call('EXPIRE', KEYS[6], ttl)
  elseif op == 'progress' then
    runs = 1
    redis.call('SET', KEYS[6], runs, 'EX', ttl)
  end
  redis.call('EXPIRE', KEYS[2], ttl)
  if op == 'transition' and to == 'processing' then redis.call('SET', KEYS[4], owner, 'EX', ttl) end
  if ARGV[7] ~= '' then redis.call('SET', KEYS[3], ARGV[7], 'EX', ttl) else redis.call('EXPIRE', KEYS[3], ttl) end
  redis.call('EXPIRE', KEYS[4], ttl)
end

for name, n in pairs(cjson.decode(ARGV[9])) do
  if n ~= 0 then redis.call('HINCRBY', KEYS[5], name, n) end
end

local kind = 'progress'
if op == 'transition' then kind = 'status' end
redis.call('PUBLISH', ARGV[11], kind .. '|' .. encoded)
if to == 'cancelled' then redis.call('PUBLISH', ARGV[12], job.job_id) end
-- A batch's writer only needs to know it landed: not sending the record back (up to 1,000
-- imported_items) saves a copy over the wire and a parse per batch.
if op == 'progress' then return {'ok', '', runs} end
return {'ok', encoded, runs}
