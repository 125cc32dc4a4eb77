"""Reads Traefik v3 router rules back and picks a router the way Traefik does.

Independent of the generator on purpose: the test parses what was written rather
than trusting the code that wrote it. Supports the matchers the gateway may use
(``Path``, ``PathPrefix``, ``PathRegexp``, ``Method``, ``Header``, ``HeaderRegexp``,
``Host``), ``!``, ``&&``, ``||`` and parentheses, with Traefik's precedence
(``&&`` binds tighter than ``||``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(r"\s*(?:(\|\|)|(&&)|(!)|(\()|(\))|(,)|`([^`]*)`|([A-Za-z]+))")


@dataclass(frozen=True)
class Request:
    path: str
    method: str = "GET"
    host: str = "gateway.test"
    headers: Mapping[str, str] = field(default_factory=dict)


Predicate = Callable[[Request], bool]


def _matcher(name: str, args: list[str]) -> Predicate:
    def arity(n: int) -> None:
        if len(args) != n:
            raise ValueError(f"{name} takes {n} argument(s), got {args}")

    if name == "Path":
        arity(1)
        return lambda r: r.path == args[0]
    if name == "PathPrefix":
        arity(1)
        return lambda r: r.path.startswith(args[0])
    if name == "PathRegexp":
        arity(1)
        rx = re.compile(args[0])
        return lambda r: rx.search(r.path) is not None
    if name == "Method":
        arity(1)
        return lambda r: r.method.upper() == args[0].upper()
    if name == "Host":
        arity(1)
        return lambda r: r.host.lower() == args[0].lower()
    if name == "Header":
        arity(2)
        return lambda r: _header(r, args[0]) == args[1]
    if name == "HeaderRegexp":
        arity(2)
        hx = re.compile(args[1])
        return lambda r: hx.search(_header(r, args[0]) or "\x00") is not None
    raise ValueError(f"unknown matcher {name}")


def _header(request: Request, name: str) -> str | None:
    for key, value in request.headers.items():
        if key.lower() == name.lower():
            return value
    return None


class _Parser:
    def __init__(self, rule: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        rule = rule.strip()
        while pos < len(rule):
            m = _TOKEN.match(rule, pos)
            if not m or m.end() == pos:
                raise ValueError(f"cannot read rule at {rule[pos:]!r}")
            pos = m.end()
            kinds = ("or", "and", "not", "(", ")", ",", "str", "name")
            for kind, text in zip(kinds, m.groups(), strict=True):
                if text is not None:
                    self.tokens.append((kind, text))
                    break
        self.i = 0
        self.matchers: list[tuple[str, list[str]]] = []

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self, kind: str) -> str:
        if self.peek() != kind:
            raise ValueError(f"expected {kind} at token {self.i} of {self.tokens}")
        text = self.tokens[self.i][1]
        self.i += 1
        return text

    def parse(self) -> Predicate:
        pred = self.expr()
        if self.peek() is not None:
            raise ValueError(f"trailing tokens: {self.tokens[self.i :]}")
        return pred

    def expr(self) -> Predicate:
        terms = [self.term()]
        while self.peek() == "or":
            self.take("or")
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else (lambda r: any(t(r) for t in terms))

    def term(self) -> Predicate:
        factors = [self.factor()]
        while self.peek() == "and":
            self.take("and")
            factors.append(self.factor())
        return factors[0] if len(factors) == 1 else (lambda r: all(f(r) for f in factors))

    def factor(self) -> Predicate:
        if self.peek() == "not":
            self.take("not")
            inner = self.factor()
            return lambda r: not inner(r)
        if self.peek() == "(":
            self.take("(")
            inner = self.expr()
            self.take(")")
            return inner
        name = self.take("name")
        self.take("(")
        args = [self.take("str")]
        while self.peek() == ",":
            self.take(",")
            args.append(self.take("str"))
        self.take(")")
        self.matchers.append((name, args))
        return _matcher(name, args)


@dataclass(frozen=True)
class Rule:
    text: str
    predicate: Predicate
    matchers: tuple[tuple[str, tuple[str, ...]], ...]

    def __call__(self, request: Request) -> bool:
        return self.predicate(request)


def parse_rule(text: str) -> Rule:
    parser = _Parser(text)
    predicate = parser.parse()
    return Rule(text, predicate, tuple((n, tuple(a)) for n, a in parser.matchers))


@dataclass(frozen=True)
class Router:
    name: str
    rule: Rule
    priority: int
    service: str
    entry_points: tuple[str, ...]
    middlewares: tuple[str, ...]


def routers_of(dynamic: Mapping[str, Any]) -> list[Router]:
    out = []
    for name, conf in dynamic["http"]["routers"].items():
        # Traefik's default priority is the length of the rule.
        priority = int(conf.get("priority") or len(conf["rule"]))
        out.append(
            Router(
                name=name,
                rule=parse_rule(conf["rule"]),
                priority=priority,
                service=conf["service"],
                entry_points=tuple(conf.get("entryPoints", ())),
                middlewares=tuple(conf.get("middlewares", ())),
            )
        )
    return out


def select(routers: list[Router], request: Request, entry_point: str = "web") -> Router | None:
    """The router Traefik serves ``request`` with: the matching one of highest priority.

    Two matching routers of equal priority would be an ambiguity Traefik settles by
    name order; the gateway must never produce one, so it is an error here.
    """
    matching = [r for r in routers if entry_point in r.entry_points and r.rule(request)]
    if not matching:
        return None
    matching.sort(key=lambda r: -r.priority)
    if len(matching) > 1 and matching[0].priority == matching[1].priority:
        raise AssertionError(
            f"{request.path}: routers {matching[0].name} and {matching[1].name} tie"
        )
    return matching[0]
