-- A link split across body pieces is still found: the body is read as one stream.
local conn = open("192.0.2.10")
send(conn, "<alice@clean.example.org>", PLAIN, {"Click https://ph", "ish.exam", "ple.net/x\r\n", "thanks\r\n"})
refused(conn, "link split across three pieces")
mt.disconnect(conn)
