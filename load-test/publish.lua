-- wrk script for capacity.sh: POST /api/blogs with ~1,300-character bodies from Zipf-like authors.
-- Bodies are built once per thread from a fixed word list, so the generator spends almost nothing per
-- request; each request picks an author (author-1 is the most frequent, as s = 1 Zipf draws give) and
-- one of the prepared bodies.
-- Author tokens: TOKENS_FILE (environment) names a file of "authorId token" lines, one per author
-- author-1..author-1000 (lib.sh's mint_tokens writes it); each request carries its author's
-- Authorization: Bearer header, from a header table made once per author. The body keeps authorId (the
-- token's subject, so the app accepts it; jars from before author tokens need it). Without TOKENS_FILE
-- (or with an empty file: a jar that mints no tokens) requests carry no Authorization header.
local words = { "stream", "partition", "offset", "consumer", "group", "outbox", "replay", "lag", "index",
  "search", "counter", "author", "blog", "event", "commit", "durable", "latency", "throughput", "kafka",
  "postgres", "lucene", "vertx", "retention", "circuit", "breaker", "idempotent", "ordering", "fanout" }
local authors = 1000
local cumulative = {}
local bodies = {}
local names = {}   -- author index -> "author-<index>"
local headers = {} -- author index -> the request headers as that author

local function zipf_table()
  local total = 0
  for k = 1, authors do total = total + 1 / k end
  local running = 0
  for k = 1, authors do
    running = running + (1 / k) / total
    cumulative[k] = running
  end
end

local function author()
  local u = math.random()
  local lo, hi = 1, authors
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cumulative[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo
end

-- reads TOKENS_FILE into one header table per author; with no tokens, every author shares wrk's headers
local function author_headers()
  local tokens = {}
  local path = os.getenv("TOKENS_FILE")
  if path and path ~= "" then
    local file = assert(io.open(path, "r"))
    for line in file:lines() do
      local id, token = line:match("^(%S+) (%S+)$")
      if id then tokens[id] = token end
    end
    file:close()
  end
  local any = next(tokens) ~= nil
  for k = 1, authors do
    names[k] = "author-" .. k
    if any then
      local token = tokens[names[k]]
      if not token then error("no token for " .. names[k] .. " in " .. path) end
      headers[k] = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
    else
      headers[k] = wrk.headers
    end
  end
end

local function text(length)
  local parts, size = {}, 0
  while size < length do
    local w = words[math.random(#words)]
    parts[#parts + 1] = w
    size = size + #w + 1
  end
  return table.concat(parts, " ")
end

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
  zipf_table()
  for i = 1, 64 do
    bodies[i] = text(1300)
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  author_headers()
end

local n = 0
function request()
  n = n + 1
  local k = author()
  local body = '{"authorId":"' .. names[k] .. '","title":"capacity ' .. n .. '","body":"' ..
    bodies[(n % #bodies) + 1] .. '","tags":["load"]}'
  return wrk.format(nil, "/api/blogs", headers[k], body)
end
