"""Scripts for `chat_server.ChatServer` that answer AutoDQ's two prompts like a deterministic judge.

`autodq_script(judge)` reads the description (and the events) out of each request's first user message, asks
`judge` (a `tarsier_nb.autodq.LexicalJudge` by default) and answers in the JSON the prompts ask for. Pass
`broken=` a set of descriptions (lower-cased) whose entailment questions get a reply with one verdict too few,
to test how failures are reported.
"""
import ast
from chat_server import Reply
from tarsier_nb.autodq import LexicalJudge

def _between(text, start, end): return text.split(start, 1)[1].split(end, 1)[0]

def autodq_script(judge=None, broken=frozenset()):
    judge = judge or LexicalJudge()
    def respond(request, call):
        prompt = request['messages'][0]['content']
        if prompt.startswith('Bellow is a description'):
            return Reply.json({'events': judge.extract_events(_between(prompt, 'Video Description: ', '\n\nExtract at most'))})
        description = _between(prompt, 'Video Description:\n', '\n\nEvents: ')
        events = ast.literal_eval(_between(prompt, '\n\nEvents: ', '\nOutput a JSON'))
        verdicts = [{'event': e, 'relationship': label, 'reason': f'lexical rule on {e!r}'}
                    for e, label in zip(events, judge.classify(description, events))]
        return Reply.json({'events': verdicts[:-1] if description in broken else verdicts})
    return respond
