-- (e) Durable privilege changes: PATCH {"grant"} and {"revoke"} of one privilege, alternating
-- for each (handle service, direct user) pair of patch_paths.txt, the pairs taken in turn so
-- that no two requests in flight touch the same pair.
local paths = {}
for line in io.lines(os.getenv("BENCH_WORK") .. "/patch_paths.txt") do
  paths[#paths + 1] = line
end
local bodies = {
  '{"grant":["handle_service_update"]}',
  '{"revoke":["handle_service_update"]}',
}
wrk.headers["Content-Type"] = "application/json"
local n = 0

request = function()
  local i = n % #paths
  local op = math.floor(n / #paths) % 2
  n = n + 1
  return wrk.format("PATCH", paths[i + 1], nil, bodies[op + 1])
end
