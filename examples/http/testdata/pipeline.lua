-- wrk script: send DEPTH requests back to back per write (HTTP pipelining),
-- as TechEmpower's plaintext test does with 16.
--   wrk -t1 -c256 -d5s -s pipeline.lua http://127.0.0.1:8080/plaintext -- 16
-- At the end it prints one machine-readable line:
--   RESULT requests=N errors=N status_errors=N bytes=N p50_us=N p99_us=N
init = function(args)
  local depth = tonumber(args[1]) or 1
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format()
  end
  req = table.concat(r)
end

request = function()
  return req
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d errors=%d status_errors=%d bytes=%d p50_us=%d p99_us=%d\n",
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status, summary.bytes,
    latency:percentile(50), latency:percentile(99)))
end
