-- A plain-text link to a listed host is refused at the end of the message; a clean one is accepted.
local conn = open("192.0.2.10")
send(conn, "<alice@clean.example.org>", PLAIN, {"Dear customer,\r\nplease verify at https://phish.example.net/login now.\r\n"})
refused(conn, "listed link")
send(conn, "<alice@clean.example.org>", PLAIN, {"See https://clean.example.org/ for the agenda.\r\n"})
accepted(conn, "clean link, second message on the same connection")
mt.disconnect(conn)
