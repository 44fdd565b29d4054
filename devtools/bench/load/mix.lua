-- Requests the paths listed in WRK_PATHS in turn, signed in with the session cookie in WRK_COOKIE.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local cookie = os.getenv("WRK_COOKIE")
local i = 0

request = function()
  i = i % #paths + 1
  -- The proxy header stands for the TLS front end production runs behind.
  return wrk.format("GET", paths[i], { ["Cookie"] = cookie, ["X-Forwarded-Proto"] = "https" })
end

-- wrk's --latency report stops at 90 % and 99 %: the 95th percentile too (microseconds).
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\n", latency:percentile(95)))
end
