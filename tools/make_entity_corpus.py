"""Write ``sklearn_rnn/datasets/data/entity_sentences.txt``.

The bundled named-entity corpus is synthetic: news-like English sentences
built from templates, with people (PER), places (LOC) and organisations
(ORG), tagged in BIO (IOB2). It is released with the project under CC0 1.0.

It is made to need context, as real text does:

- half the names come from lists written for this project, the other half
  are made up from syllables, so most of those occur only once and a test
  sentence is full of names never seen in training;
- some names are both a surname and a place (Jackson, Lincoln, Paris...);
- some slots take either a person or an organisation ("X said ..."), so a
  made-up name there can be told apart only by its shape (two words, a
  title, "& Sons", "Bank") or not at all.

Run from the repository root::

    python tools/make_entity_corpus.py
"""

from pathlib import Path

import numpy as np

N_SENTENCES = 3000
SEED = 0
OUTPUT = Path("sklearn_rnn/datasets/data/entity_sentences.txt")

FIRST = """Anna Ben Carla David Elena Frank Grace Henry Irene James Karen Louis
Maria Nathan Olga Peter Rosa Samuel Tanya Victor Wendy Yusuf Zoe Ahmed Bianca
Chen Diego Fatima Gustav Hana Igor Julia Kenji Lena Marco Nadia Oscar Priya
Quentin Ravi Sofia Tomas Ursula Vera William Xavier Yara Aisha Bruno Clara
Dmitri Emma Felix Greta Hugo Ines Jonas Kofi Lucia Mateo Nora""".split()
SURNAMES = """Smith Garcia Muller Rossi Tanaka Novak Dubois Silva Kowalski Ivanov
Okafor Larsen Schmidt Moreau Costa Nakamura Horvat Jensen Petrov Mensah Fischer
Bernard Romano Sato Kovac Nielsen Popov Adeyemi Weber Laurent Ricci Suzuki
Varga Hansen Sokolov Boateng Wagner Fontaine Greco Kimura Toth Berg Volkov Osei
Becker Marchand Conti Yamamoto Szabo Lund Orlov Asante Hoffmann Leroy Esposito
Mori Balogh Dahl Morozov Owusu""".split()
AMBIGUOUS = ["Jackson", "Lincoln", "Washington", "Paris", "Florence", "Austin"]
PLACES = (
    """Berlin Madrid Rome Tokyo Lagos Oslo Vienna Prague Lisbon Warsaw Cairo
Nairobi Lima Quito Dublin Athens Helsinki Seoul Manila Jakarta Dakar Accra
Toronto Sydney Mumbai Istanbul Budapest Geneva Munich Lyon Naples Osaka Kyoto
Brazil Canada Egypt Kenya Norway Peru Chile Japan Ghana Spain Italy Poland
Sweden Mexico India Turkey Greece Portugal""".split()
    + [
        "New York",
        "Buenos Aires",
        "Cape Town",
        "Hong Kong",
        "San Francisco",
        "Rio de Janeiro",
        "New Zealand",
        "South Africa",
    ]
)
SYLLABLES = """ba ko ri ta mel von dra li shu ne ga tor pa vi zen lo mar qui
sa del ru fen ka bro tis hal mo ven""".split()
ORG_WORDS = """Global Northern Atlas Summit Harbor Pioneer Union Crown Delta
Granite Horizon Liberty Meridian Orion Phoenix Sterling Vertex Zenith""".split()
ORG_KINDS = ["Bank", "Airlines", "Motors", "Energy", "Foods", "Telecom", "Group"]
FIXED_ORGS = [
    "United Nations",
    "World Bank",
    "Red Cross",
    "European Union",
    "World Health Organization",
    "Supreme Court",
    "Central Bank",
]
YEARS = [str(y) for y in range(1990, 2026)]

TEMPLATES = """{PER} was born in {LOC} in {YEAR} .
{PER} joined {ORG} in {YEAR} .
The {ORG} office in {LOC} opened on Monday .
{PER} , a spokesman for {ORG} , said the talks would continue .
Shares of {ORG} rose 3 percent in {LOC} trading .
{PER} and {PER} met in {LOC} last week .
According to {PER} , the {LOC} plant will close next year .
{ORG} signed a deal with {ORG} on Tuesday .
Flights from {LOC} to {LOC} were cancelled because of the storm .
{PER} told reporters in {LOC} that {ORG} had agreed to the terms .
The mayor of {LOC} , {PER} , resigned on Friday .
{PER} works for {ORG} in {LOC} .
Mr. {SUR} said {ORG} would appeal the ruling .
Ms. {SUR} will lead the {ORG} team in {LOC} .
{ORG} reported higher profits for {YEAR} .
Talks between {LOC} and {LOC} ended without agreement .
{PER} won the race in {LOC} on Sunday .
Police in {LOC} arrested two men on Wednesday .
The {ORG} board named {PER} as its new chief .
{PER} moved to {LOC} after leaving {ORG} .
Protesters gathered outside the {ORG} building in {LOC} .
{LOC} will host the summit in {YEAR} .
A report by {ORG} said prices in {LOC} had doubled .
{PER} visited {LOC} and {LOC} last month .
Officials at {ORG} declined to comment .
{AGENT} said the decision was final .
{AGENT} denied the report on Thursday .
A lawyer for {AGENT} said the case would go to the {ORG} .
{AGENT} has offices in {LOC} and {LOC} .
{AGENT} , based in {LOC} , lost the contract .
Critics of {AGENT} met in {LOC} .
Prices fell sharply on Tuesday .
The weather was cold and wet for most of the week .
Analysts expect the market to recover next year .
The company said it would cut 200 jobs .
Voters will go to the polls in {YEAR} .
{PER} said the decision was final .
Dr. {SUR} of {ORG} warned of a shortage in {LOC} .
Heavy rain flooded parts of {LOC} overnight .
{PER} , who lives in {LOC} , was not available for comment .
The deal makes {ORG} the largest lender in {LOC} .""".splitlines()


def made_up(rng):
    """A capitalised name of 2 or 3 syllables, e.g. "Kotamel"."""
    return "".join(rng.choice(SYLLABLES, size=rng.randint(2, 4))).capitalize()


def name(rng, pool):
    return made_up(rng) if rng.rand() < 0.5 else str(rng.choice(pool))


def person(rng):
    surname = name(rng, SURNAMES + AMBIGUOUS)
    style = rng.randint(4)
    if style == 0:
        return [surname]
    if style == 1:
        return [rng.choice(FIRST), rng.choice(FIRST)[0] + ".", surname]
    return [rng.choice(FIRST), surname]


def place(rng):
    return name(rng, PLACES + AMBIGUOUS).split()


def organisation(rng):
    style = rng.randint(5)
    if style == 0:
        return str(rng.choice(FIXED_ORGS)).split()
    if style == 1:
        return [name(rng, ORG_WORDS), rng.choice(ORG_KINDS)]
    if style == 2:
        return ["Bank", "of", *place(rng)]
    if style == 3:
        return [name(rng, SURNAMES), "&", "Sons"]
    return [made_up(rng)]


def tagged(tokens, kind):
    return [(t, ("B-" if k == 0 else "I-") + kind) for k, t in enumerate(tokens)]


def sentence(rng):
    pairs = []
    for word in str(rng.choice(TEMPLATES)).split():
        if word == "{PER}":
            pairs += tagged(person(rng), "PER")
        elif word == "{SUR}":
            pairs += tagged([name(rng, SURNAMES + AMBIGUOUS)], "PER")
        elif word == "{AGENT}":
            if rng.rand() < 0.5:
                pairs += tagged(person(rng), "PER")
            else:
                pairs += tagged(organisation(rng), "ORG")
        elif word == "{LOC}":
            pairs += tagged(place(rng), "LOC")
        elif word == "{ORG}":
            pairs += tagged(organisation(rng), "ORG")
        elif word == "{YEAR}":
            pairs.append((rng.choice(YEARS), "O"))
        else:
            pairs.append((word, "O"))
    return pairs


def main():
    rng = np.random.RandomState(SEED)
    lines = [
        "# Synthetic news-like sentences with BIO entity tags (PER, LOC, ORG).",
        "# Made by tools/make_entity_corpus.py; CC0 1.0. One token and its tag",
        "# per line; a blank line ends a sentence.",
    ]
    for _ in range(N_SENTENCES):
        lines += [f"{token} {tag}" for token, tag in sentence(rng)] + [""]
    OUTPUT.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
