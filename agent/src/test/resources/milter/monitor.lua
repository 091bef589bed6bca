-- Monitor mode: what would be refused is accepted with the header.
local conn = open("192.0.2.10")
send(conn, "<alice@clean.example.org>", PLAIN, {"https://phish.example.net/login\r\n"})
local got = mt.getreply(conn)
if got ~= SMFIR_CONTINUE and got ~= SMFIR_ACCEPT then error("monitor mode refused: " .. string.char(got)) end
if not mt.eom_check(conn, MT_HDRADD, "X-Vspam") then error("no X-Vspam header") end
local value = mt.getheader(conn, "X-Vspam", 0)
if value == nil or not string.find(value, "category=phishing_url", 1, true) then error("X-Vspam is " .. tostring(value)) end
mt.disconnect(conn)
