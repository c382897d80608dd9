"""`autodq_script`: a `chat_server.ChatServer` script that answers AutoDQ's two prompts as `tarsier_nb.autodq.lexical_replies`
does (a deterministic rule judge), for tests and benchmarks over real HTTP."""
from chat_server import Reply
from tarsier_nb.autodq import lexical_replies

def autodq_script(judge=None, broken=frozenset()):
    "The server's script: each request's messages answered by `lexical_replies(judge, broken)`, as JSON."
    respond = lexical_replies(judge, broken)
    return lambda request, call: Reply.json(respond(request['messages'], call))
