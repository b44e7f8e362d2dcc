-- wrk script of Benchmarks/cluster.sh: GET <prefix><code> cycling through the codes of a file
-- (one short-link code a line; each thread starts at its own offset), with an iPhone Safari user
-- agent (a human click). Arguments: <codes file> <prefix>, e.g. /l/ or /health?c=.
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  codes = {}
  for line in io.lines(args[1]) do codes[#codes + 1] = line end
  prefix = args[2]
  n = (id * 7919) % #codes
end

function request()
  n = n % #codes + 1
  return wrk.format("GET", prefix .. codes[n], {
    ["User-Agent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
  })
end
