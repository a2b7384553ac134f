"""The small built-in word and character tables that the perturbation kinds draw from."""

from __future__ import annotations

# Near-synonyms for common instruction words. Each entry keeps the request's meaning, so a
# verdict that changes under the swap is a robustness failure, not a different question.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "explain": ("describe", "clarify", "outline"),
    "describe": ("explain", "outline", "depict"),
    "tell": ("inform", "show", "teach"),
    "show": ("demonstrate", "tell", "reveal"),
    "give": ("provide", "offer", "supply"),
    "provide": ("give", "supply", "offer"),
    "write": ("compose", "draft", "produce"),
    "make": ("create", "build", "produce"),
    "create": ("make", "build", "generate"),
    "build": ("construct", "make", "assemble"),
    "help": ("assist", "aid", "support"),
    "list": ("enumerate", "name", "itemize"),
    "find": ("locate", "discover", "identify"),
    "get": ("obtain", "acquire", "gain"),
    "use": ("utilize", "employ", "apply"),
    "buy": ("purchase", "acquire", "obtain"),
    "steal": ("take", "pilfer", "swipe"),
    "hack": ("breach", "crack", "infiltrate"),
    "hurt": ("harm", "injure", "wound"),
    "harm": ("hurt", "damage", "injure"),
    "kill": ("murder", "slay", "eliminate"),
    "destroy": ("ruin", "wreck", "demolish"),
    "hide": ("conceal", "mask", "cover"),
    "avoid": ("evade", "escape", "dodge"),
    "cheat": ("deceive", "trick", "swindle"),
    "lie": ("deceive", "fib", "mislead"),
    "break": ("breach", "crack", "violate"),
    "start": ("begin", "launch", "initiate"),
    "stop": ("halt", "end", "cease"),
    "learn": ("study", "discover", "master"),
    "know": ("understand", "realize", "recognize"),
    "think": ("believe", "consider", "suppose"),
    "want": ("wish", "desire", "need"),
    "need": ("require", "want", "lack"),
    "ask": ("inquire", "request", "query"),
    "answer": ("reply", "response", "solution"),
    "question": ("query", "inquiry", "issue"),
    "way": ("method", "means", "approach"),
    "ways": ("methods", "means", "approaches"),
    "method": ("technique", "way", "approach"),
    "steps": ("stages", "actions", "measures"),
    "step": ("stage", "action", "measure"),
    "instructions": ("directions", "guidelines", "steps"),
    "guide": ("manual", "handbook", "walkthrough"),
    "plan": ("scheme", "strategy", "design"),
    "idea": ("notion", "concept", "thought"),
    "information": ("details", "data", "facts"),
    "details": ("particulars", "specifics", "information"),
    "people": ("persons", "individuals", "folks"),
    "person": ("individual", "someone", "human"),
    "someone": ("somebody", "a person", "anyone"),
    "friend": ("companion", "pal", "buddy"),
    "money": ("cash", "funds", "currency"),
    "house": ("home", "residence", "dwelling"),
    "car": ("vehicle", "automobile", "auto"),
    "job": ("occupation", "position", "work"),
    "company": ("firm", "business", "corporation"),
    "factors": ("elements", "causes", "aspects"),
    "reasons": ("causes", "grounds", "motives"),
    "effects": ("consequences", "impacts", "results"),
    "benefits": ("advantages", "gains", "merits"),
    "problems": ("issues", "difficulties", "troubles"),
    "weapon": ("arm", "armament", "device"),
    "drug": ("substance", "narcotic", "medication"),
    "drugs": ("substances", "narcotics", "medications"),
    "bomb": ("explosive", "device", "charge"),
    "poison": ("toxin", "venom", "toxicant"),
    "password": ("passcode", "passphrase", "login"),
    "account": ("profile", "login", "user account"),
    "system": ("network", "platform", "setup"),
    "website": ("site", "web page", "web site"),
    "computer": ("machine", "PC", "device"),
    "good": ("fine", "great", "decent"),
    "bad": ("poor", "awful", "terrible"),
    "best": ("finest", "top", "greatest"),
    "big": ("large", "huge", "major"),
    "small": ("little", "tiny", "minor"),
    "important": ("crucial", "significant", "vital"),
    "popular": ("famous", "well-known", "common"),
    "famous": ("renowned", "well-known", "celebrated"),
    "dangerous": ("hazardous", "risky", "unsafe"),
    "illegal": ("unlawful", "illicit", "criminal"),
    "easy": ("simple", "effortless", "straightforward"),
    "hard": ("difficult", "tough", "challenging"),
    "quick": ("fast", "rapid", "speedy"),
    "quickly": ("rapidly", "fast", "swiftly"),
    "easily": ("simply", "effortlessly", "readily"),
    "secretly": ("covertly", "privately", "quietly"),
    "really": ("truly", "genuinely", "actually"),
    "very": ("extremely", "highly", "really"),
    "main": ("primary", "chief", "principal"),
    "key": ("main", "crucial", "central"),
    "common": ("usual", "frequent", "typical"),
    "possible": ("feasible", "viable", "potential"),
    "fall": ("decline", "collapse", "downfall"),
    "rise": ("growth", "ascent", "increase"),
    "led": ("caused", "resulted", "brought"),
    "change": ("alter", "modify", "adjust"),
    "improve": ("enhance", "better", "boost"),
    "reduce": ("lower", "decrease", "cut"),
    "increase": ("raise", "boost", "grow"),
    "keep": ("maintain", "retain", "hold"),
    "choose": ("select", "pick", "opt for"),
    "prepare": ("ready", "arrange", "make"),
    "cook": ("prepare", "make", "fix"),
    "recommend": ("suggest", "advise", "propose"),
    "suggest": ("recommend", "propose", "advise"),
    "story": ("tale", "narrative", "account"),
    "essay": ("article", "paper", "composition"),
    "letter": ("note", "message", "missive"),
    "message": ("note", "text", "communication"),
    "email": ("e-mail", "message", "mail"),
}

# Agreement and article slips: each maps a correct word to a common wrong one.
GRAMMAR_SWAPS: dict[str, str] = {
    "is": "are", "are": "is", "was": "were", "were": "was",
    "do": "does", "does": "do", "has": "have", "have": "has",
    "a": "an", "an": "a", "this": "these", "these": "this",
    "that": "those", "those": "that", "its": "it's",
    "their": "there", "there": "their", "your": "you're", "than": "then",
    "then": "than", "me": "I", "fewer": "less", "whom": "who",
}

ARTICLES = frozenset({"the"})

# One common digit or symbol per letter, the form jailbreak prompts use.
LEET: dict[str, str] = {
    "a": "4", "b": "8", "e": "3", "g": "9", "i": "1", "l": "1",
    "o": "0", "s": "5", "t": "7", "z": "2",
}

# Latin letters and lookalikes from the Cyrillic and Greek blocks, most convincing first.
HOMOGLYPHS: dict[str, tuple[str, ...]] = {
    "a": ("\u0430",), "c": ("\u0441", "\u03f2"), "e": ("\u0435",), "i": ("\u0456",),
    "j": ("\u0458",), "o": ("\u043e", "\u03bf"), "p": ("\u0440", "\u03c1"),
    "s": ("\u0455",), "x": ("\u0445", "\u03c7"), "y": ("\u0443", "\u03b3"),
    "v": ("\u03bd",), "h": ("\u04bb",), "d": ("\u0501",), "q": ("\u051b",),
    "w": ("\u051d",),
    "A": ("\u0410", "\u0391"), "B": ("\u0412", "\u0392"), "C": ("\u0421",),
    "E": ("\u0415", "\u0395"), "H": ("\u041d", "\u0397"), "I": ("\u0406", "\u0399"),
    "J": ("\u0408",), "K": ("\u041a", "\u039a"), "M": ("\u041c", "\u039c"),
    "N": ("\u039d",), "O": ("\u041e", "\u039f"), "P": ("\u0420", "\u03a1"),
    "S": ("\u0405",), "T": ("\u0422", "\u03a4"), "X": ("\u0425", "\u03a7"),
    "Y": ("\u03a5",), "Z": ("\u0396",),
}

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_neighbours() -> dict[str, str]:
    """Letters next to each letter on a QWERTY keyboard (same row and the rows above/below)."""
    position = {ch: (row, col) for row, keys in enumerate(_KEYBOARD_ROWS) for col, ch in enumerate(keys)}
    neighbours = {}
    for ch, (row, col) in position.items():
        near = [
            other
            for other, (orow, ocol) in position.items()
            if other != ch and abs(orow - row) <= 1 and abs(ocol - col) <= 1
        ]
        neighbours[ch] = "".join(sorted(near, key=lambda o: (abs(position[o][0] - row), position[o])))
    return neighbours


KEYBOARD_NEIGHBOURS: dict[str, str] = _keyboard_neighbours()

URL_SITES: tuple[str, ...] = (
    "www.example.com", "www.wikipedia.org", "www.github.com", "www.google.com",
    "www.youtube.com", "www.reddit.com", "www.bbc.com", "www.nytimes.com",
    "www.amazon.com", "www.stackoverflow.com", "www.linkedin.com", "www.medium.com",
)

PUNCTUATION_MARKS: tuple[str, ...] = ("!", "?", ".", ",", ";", ":", "...", "-")

# Markup wrapped around a span of words; "{}" is the span.
MARKDOWN_STYLES: tuple[str, ...] = ("*{}*", "**{}**", "`{}`", "$\\text{{{}}}$", "${}$", "_{}_")

HTML_OUTER_TAGS: tuple[str, ...] = ("p", "b", "div", "h1", "span")
HTML_INNER_TAGS: tuple[str, ...] = ("", "strong", "em", "b", "i", "code")
