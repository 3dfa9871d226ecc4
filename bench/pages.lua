-- One page under steady load: wrk repeats the GET given on its command line (cookie in -H).
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
local report = dofile(here .. "report.lua")

function done(summary, latency, requests)
  report.print(summary, latency)
end
