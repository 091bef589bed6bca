-- Helpers for the agent's miltertest scripts (Lua 5.3): SOCKET is set by the test before this file. miltertest
-- exits 1 without a word on an error, so the test runs each script in pcall and prints the reason.
function ok(err, what)
  if err ~= nil then error(what .. ": " .. err) end
end

function expect(conn, reply, what)
  local got = mt.getreply(conn)
  if got ~= reply then error(what .. ": expected reply " .. string.char(reply) .. ", got " .. string.char(got)) end
end

-- A connection whose client is client_ip ("unspec" for a client known only by its {client_addr} macro).
function open(client_ip, macros)
  local conn = mt.connect(SOCKET, 20, 0.1)
  if conn == nil then error("cannot connect to " .. SOCKET) end
  if macros ~= nil then mt.macro(conn, SMFIC_CONNECT, table.unpack(macros)) end
  ok(mt.conninfo(conn, "mail.example.com", client_ip), "conninfo")
  expect(conn, SMFIR_CONTINUE, "connect")
  return conn
end

-- One message up to its end: the envelope, the headers (name, value pairs) and the body in pieces.
function send(conn, sender, headers, pieces, mail_macros)
  if mail_macros ~= nil then mt.macro(conn, SMFIC_MAIL, table.unpack(mail_macros)) end
  ok(mt.mailfrom(conn, sender), "MAIL")
  expect(conn, SMFIR_CONTINUE, "MAIL")
  for i = 1, #headers, 2 do ok(mt.header(conn, headers[i], headers[i + 1]), "header") end
  ok(mt.eoh(conn), "EOH")
  for _, piece in ipairs(pieces) do ok(mt.bodystring(conn, piece), "body") end
  ok(mt.eom(conn), "EOM")
end

-- miltertest matches a reply only on all three of its parts. The milter's refusal names what it found.
LINK_REJECTED = "Message rejected: a link in it leads to phish.example.net, listed in vspam.org (phishing)"

function refused(conn, what, text)
  text = text or LINK_REJECTED
  if mt.getreply(conn) ~= SMFIR_REPLYCODE or not mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1", text) then
    error(what .. ": expected 550 5.7.1 " .. text .. ", got reply " .. string.char(mt.getreply(conn)))
  end
end

function accepted(conn, what)
  local got = mt.getreply(conn)
  if got ~= SMFIR_CONTINUE and got ~= SMFIR_ACCEPT then error(what .. ": expected the message accepted, got " .. string.char(got)) end
  if mt.eom_check(conn, MT_HDRADD) then error(what .. ": a header was added to a clean message") end
end

PLAIN = {"From", "<a@example.com>", "Subject", "hello", "Content-Type", "text/plain; charset=utf-8"}
