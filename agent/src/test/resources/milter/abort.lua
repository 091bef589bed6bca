-- A message abandoned mid-body leaves nothing behind: the next message on the connection is decided on its own.
local conn = open("192.0.2.10")
ok(mt.mailfrom(conn, "<alice@clean.example.org>"), "MAIL")
for i = 1, #PLAIN, 2 do ok(mt.header(conn, PLAIN[i], PLAIN[i + 1]), "header") end
ok(mt.eoh(conn), "EOH")
ok(mt.bodystring(conn, "https://phish.example.net/ and then the client went away"), "body")
ok(mt.abort(conn), "abort")
send(conn, "<bob@clean.example.org>", PLAIN, {"nothing to see\r\n"})
accepted(conn, "the message after an abort")
send(conn, "<carol@clean.example.org>", PLAIN, {"but this: http://phish.example.net\r\n"})
refused(conn, "a third message")
mt.disconnect(conn)
