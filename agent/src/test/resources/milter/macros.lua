-- A client known only by its {client_addr} macro (a unix-socket connect) is still checked (and the refusal says
-- it is the server, listed for spam, not "sender listed for phishing"); an
-- authenticated sender ({auth_authen}) is not looked up, as skip_authenticated says.
local conn = open("unspec", {"j", "mx.example.org", "{client_addr}", "203.0.113.66"})
send(conn, "<alice@clean.example.org>", PLAIN, {"hello\r\n"})
refused(conn, "listed client address from the macro", "Message rejected: the sending server 203.0.113.66 is listed in vspam.org (spam)")
mt.disconnect(conn)
conn = open("192.0.2.10")
send(conn, "<alice@clean.example.org>", PLAIN, {"https://phish.example.net/\r\n"}, {"{auth_authen}", "alice"})
accepted(conn, "an authenticated sender")
mt.disconnect(conn)
