-- (f) Reads and membership writes: one request in BENCH_MIX_WRITE_EVERY adds a user to a handle
-- service (PUT) or removes it again (DELETE), alternating per pair of member_paths.txt; the
-- others read effective privileges of the direct members in read_paths.txt.
local function lines(name)
  local t = {}
  for line in io.lines(os.getenv("BENCH_WORK") .. "/" .. name) do
    t[#t + 1] = line
  end
  return t
end
local reads = lines("read_paths.txt")
local members = lines("member_paths.txt")
local every = tonumber(os.getenv("BENCH_MIX_WRITE_EVERY") or "10")
local n, w = 0, 0

request = function()
  n = n + 1
  if n % every == 0 then
    local i = w % #members
    local add = math.floor(w / #members) % 2 == 0
    w = w + 1
    return wrk.format(add and "PUT" or "DELETE", members[i + 1])
  end
  return wrk.format("GET", reads[(n % #reads) + 1])
end
