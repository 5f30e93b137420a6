"""English words of the quotation package. Data only: ``lexicon`` combines them with the
other languages' and the code that reads them is in ``names``, ``speakers``, ``attribution``,
``candidates``, ``features`` and ``choose``."""

from __future__ import annotations

# fmt: off

# Speech cues ------------------------------------------------------------------------------

CUE_VERBS = frozenset("""
    said says say saying told tells tell added adds stressed stresses noted notes explained
    explains argued argues asked asks wrote writes stated states declared declares insisted
    insists claimed claims warned warns continued continues replied replies responded
    responds answered answers recalled recalls emphasized emphasised emphasizes emphasises
    acknowledged acknowledges admitted admits suggested suggests announced announces tweeted
    tweets posted reported reports concluded concludes remarked remarks commented comments
    observed observes conceded concedes predicted predicts promised promises vowed vows
    urged urges cautioned cautions complained complains joked jokes quipped quips boasted
    boasts shouted shouts yelled yells whispered whispers testified testifies confirmed
    confirms denied denies countered counters charged charges contended contends maintained
    maintains mused muses lamented laments agreed agrees disagreed wondered wonders
    recounted recounts described describes assured assures pleaded pleads
    reiterated reiterates underlined underlines highlighted highlights opined opines
    cried cries exclaimed exclaims sighed demanded demands proclaimed proclaims
    advised advises called calls calling dubbed dubs labeled labelled branded describing
    accused accuses accusing accuse claiming promising denouncing denounced referred sings
    sang asking telling adding noting insisting arguing warning writing tweeting
    explaining stressing asserting asserted asserts reads likened likens dismissed blasted
    mocked hailed slammed revealing revealed reveals admitting conceding suggesting recalling
    confirming denying acknowledging announcing stating declaring complaining joking vowing
    urging responding replying answering
    interjected interjects interjecting chanted chanting retweeted retweeting retorted
    retorts scolded scolds bragged brags bragging boasting quipping wondering scoffed
    scoffs griped grumbled
    call argue warn claim insist describe characterized characterised characterizes
    characterises characterizing characterising
""".split())
"""Speech verbs: "said", "tweeted"; cues of more than one word are ``CUE_PHRASES``."""

ACCORDING = frozenset({"according to"})
"""Cues whose speaker follows them: "according to the minister"."""

CUE_PHRASES = ACCORDING | frozenset({
    "put it", "puts it", "pointed out", "points out", "went on", "goes on", "spelled out",
    "shot back", "fired back",
})
"""Speech cues of more than one word."""

PLURAL_PRESENT = frozenset("call argue warn claim insist describe".split())
"""Speech verbs whose plain form is also a noun: a verb only after a plural subject."""

TELLING = frozenset("told tells tell telling asked asks ask asking".split())
"""Cues whose object is a hearer: "Warren told Stumpf"."""

HEADLINE_CUES = tuple("Says Said Tells Warns Claims Insists Argues".split())
"""Speech verbs of a headline, capitalised: "…, Name Says"."""

CLAIM_NOUNS = frozenset("""
    claim claims statement statements assertion assertions remark remarks comment comments
    words argument arguments promise promises pledge pledges vow vows warning warnings
    accusation accusations allegation allegations insistence contention description
    descriptions prediction predictions boast boasts tweet tweets suggestion suggestions
    complaint complaints characterization characterizations response responses reply replies
    answer answers message
""".split())
"""Nouns for what someone said, whose possessor said it: "Trump’s claim that …"."""

# Before a cue -----------------------------------------------------------------------------

SKIP_BEFORE_CUE = frozenset("""
    also later has had have was were is are then further again once recently previously
    repeatedly reportedly publicly privately quickly simply just would will could might
    may not never already still often frequently earlier even first last on monday
    tuesday wednesday thursday friday saturday sunday yesterday today tonight herself
    himself themselves subsequently finally ultimately separately
""".split())
"""Auxiliaries, adverbs and times between a subject and its speech verb: "Smith later
said"."""

GENDERED_PRONOUNS = {"he": "m", "she": "f", "him": "m", "her": "f"}
"""Pronouns that may stand for a speaker, with the gender they give."""

OTHER_PRONOUNS = frozenset({"they", "i", "we", "it", "you", "who", "which", "that"})
"""Pronouns before a cue that stand for no speaker the rules resolve."""

OPENING_SUBORDINATORS = frozenset("after before while by upon when since in".split())
"""Words that may open a sentence before a participle: "After saying …, she"."""

LEAD_IN_WORDS = tuple("""
    In On At During After Before Since Earlier Later Last Meanwhile With Amid Despite
    Following Ahead
""".split())
"""Words that open an introductory phrase set off by a comma: "In recent weeks, "."""

# Noun phrases -----------------------------------------------------------------------------

PHRASE_DETERMINERS = frozenset("""
    the my your a an this that one another his her their its our some two three several
    many other
""".split())
"""Words that open a noun phrase: a word after one is a noun ("his claims"), and the
phrase may be a speaker ("the minister")."""

ARTICLES = frozenset({"the", "a", "an"})
"""Articles, skipped between a name and what describes it: "a member of the Freedom
Caucus"."""

FUNCTION_WORDS = frozenset("""
    and or but then to of in on over up out at by for with from into as than so who which
    that
""".split())
"""Words that end a noun phrase read backwards from a cue."""

OBJECT_OF = frozenset("""
    to at with for by of from about against on in into than over like toward towards told
    asked tell ask called call accused accuse urged urge thanked praised criticised
    criticized blamed
""".split())
"""Prepositions and verbs whose object a following name is, not the speaker."""

SUBJECT_PREPOSITIONS = frozenset("""
    to at with by from about against on in into over through across around near under
""".split())
"""Prepositions inside a subject noun phrase ("a narrator in the Clinton ad asks"): their
object is not the speaker."""

PLACE_PREPOSITIONS = frozenset("on in at from near across inside outside around".split())
"""Prepositions before a place: "Democrats on Capitol Hill, who …" is no antecedent."""

QUANTITIES = frozenset("""
    percent most many some half majority minority number dozens hundreds thousands millions
    all none several few each both rest
""".split())
"""Quantities before "of": in "52 percent of voters" the voters are the head."""

COLLECTIVES = frozenset("police people staff personnel".split())
"""Nouns that speak in the plural without a determiner: "police said"."""

BARE_PLURALS = frozenset({"officials", "sources"})
"""Capitalised plurals opening a sentence that still speak: "Officials said"."""

DOCUMENTS = frozenset("""
    statement letter email memo report release post tweet video filing complaint note
""".split())
"""Documents whose words are their author's: "a statement from Jane Smith"."""

THING_WORDS = frozenset("""
    company firm agency report study letter statement complaint lawsuit ruling website
    article piece story editorial newspaper paper magazine broadcaster outlet
""".split())
"""Besides ``ORG_WORDS``, nouns for an organisation or its publication that "it" may
stand for."""

ADDRESS_TITLES = frozenset("""
    president senator sen rep gov governor mayor judge gen minister chancellor speaker
""".split())
"""Besides the honorifics, titles that make a lone surname a person: "President Obama"."""

# Organisations named by a noun ----------------------------------------------------------

PAPERS = tuple("""
    Times Post Journal Herald Guardian Telegraph Gazette Tribune News Daily Mail Mirror
    Observer Independent Chronicle Globe Star Sun Express Pravda Inquirer Examiner
""".split())
"""Words in newspapers' names: "The Washington Post"."""

BROADCASTERS = tuple("BBC CNN NBC CBS ABC Fox MSNBC Radio TV Television Network".split())
"""Words in broadcasters' names."""

ORG_NOUNS = {
    "newspaper": PAPERS,
    "paper": PAPERS,
    "agency": tuple("Agency Reuters Press AFP ANSA Interfax TASS Xinhua Bloomberg".split()),
    "network": BROADCASTERS,
    "broadcaster": BROADCASTERS,
    "magazine": tuple("Magazine Atlantic Economist Time Newsweek Politico".split()),
    "outlet": (*PAPERS, *BROADCASTERS, "Politico", "Axios", "Breitbart"),
}
"""Words of the names a noun stands for: "the newspaper" names the last paper the article
mentioned."""

# Works and titles -------------------------------------------------------------------------

WORKS = frozenset("""
    book song film movie show series program programme episode album anthem novel memoir
    play documentary column essay poem podcast titled entitled
""".split())
"""Nouns that introduce the title of a work: "his 2002 book, “…”"."""

BEFORE_A_WORK = frozenset("of on in during at its his her their our".split())
"""Words before a title-cased quotation that names a show or event: on “Face the Nation”."""

TITLE_MINOR_WORDS = frozenset("of the a an and in on to for at".split())
"""Words a title leaves in lower case: “The Art of the Deal”."""

# Names ------------------------------------------------------------------------------------

TITLE_WORDS = frozenset("""
    president vice prime minister secretary general secretary-general chancellor senator
    sen representative rep congressman congresswoman governor gov mayor judge justice
    chief executive officer director spokesman spokeswoman spokesperson ambassador
    commissioner chairman chairwoman chair leader deputy speaker attorney professor prof
    dr mr mrs ms miss mx rev reverend father sister brother sir dame lord lady king
    queen prince princess pope gen col lt sgt capt captain major admiral adm commander
    cmdr colonel lieutenant sergeant foreign defence defense interior finance health
    economy home former acting interim democratic republican democrat labour
    conservative tory presidential candidate nominee coach manager head ceo cfo coo cto
    founder co-founder analyst economist lawmaker councillor councilman councilwoman
    councilor state treasury commerce trade energy education justice mp mep sheikh emir
    ayatollah cardinal bishop archbishop rabbi imam detective inspector superintendent
    constable officer agent sheriff marshal chairperson premier minister-president
    first lady secretary-of-state envoy adviser advisor aide press official officials staff
    campaign party senior junior assistant associate executive-director president-elect
""".split())
"""Words that head or qualify a role. A capitalised run up to its last title word is the
title: "NATO Secretary General Jens Stoltenberg" -> title + "Jens Stoltenberg"."""

SURNAME_TITLES = frozenset({"king", "major", "bishop", "pope", "lord"})
"""Title words that are also common English surnames."""

MALE_TITLES = frozenset("""
    mr sir king lord prince father brother congressman councilman chairman spokesman
""".split())
"""Titles that tell a man."""

FEMALE_TITLES = frozenset("""
    mrs ms miss dame queen lady princess sister congresswoman councilwoman chairwoman
    spokeswoman
""".split())
"""Titles that tell a woman."""

HONORIFICS = frozenset("mr mrs ms miss mx dr prof sir dame lord lady rev".split())
"""Titles of address: "Mr. King" is a surname however much it looks like a title."""

NAME_PARTICLES = frozenset("""
    de del della da di do dos du van von der den la le bin ibn al el
""".split())
"""Lower-case particles of names of any origin as English news prints them: "Ursula von
der Leyen", "Mohammed bin Salman"."""

CONNECTORS = NAME_PARTICLES | frozenset({"of", "for", "the", "y"})
"""Lower-case words inside a capitalised run: "Secretary of State John Kerry", "José
Ortega y Gasset"."""

SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
"""Generational suffixes of a name."""

NOT_NAME = frozenset("""
    but and or so yet then still however meanwhile also in on at for from with without
    after before when while as if although though because since until the a an this that
    these those it its there here speaking asked earlier later now today yesterday
    tomorrow last next even instead details source sources background update yes no well
    we they he she i you his her their our my your it's what who why how where which
    whose one two many some most all both each every other another more such according
    during despite among amid under over into through about like unlike by of to not
    never only just monday tuesday wednesday thursday friday saturday sunday january
    february march april june july august september october november december sept oct
    nov dec jan feb aug read watch photo video editor's note breaking exclusive analysis
    opinion live did does do is are was were has have had can could should would must
""".split())
"""Capitalised words that start sentences or name times and places of a sentence, not
people."""

ORG_WORDS = frozenset("""
    agency department ministry committee council office commission court party union
    bank company corp corporation inc ltd university institute association foundation
    organization organisation service police army navy government administration
    campaign times post journal news network press reuters bureau board authority
    federation league group center centre fund church parliament congress senate house
    assembly tribunal
""".split())
"""Words by which a run names an organisation as a whole: "The International Atomic Energy
Agency", "Department of Homeland Security"."""

# The speaker model's candidates and features ------------------------------------------

SPEAKING_NOUNS = frozenset("""
    spokesman spokeswoman spokesperson spokespeople official officials aide aides adviser
    advisers advisor advisors source sources lawyer lawyers attorney attorneys statement
    statements report reports campaign campaigns analyst analysts expert experts critic critics
    supporter supporters opponent opponents newspaper paper magazine study studies letter
    complaint memo lawsuit filing document documents survey poll group police prosecutor
    prosecutors officer officers investigator investigators witness witnesses researcher
    researchers leader leaders lawmaker lawmakers senator senators candidate nominee
    president minister secretary director chief chairman chairwoman chair governor mayor
    judge ruling agency ministry department committee company firm spokesmen spokeswomen
    representative representatives ambassador diplomat diplomats residents voters
    protesters activists author authors editorial article website statement organizers
    insiders member members staffer staffers manager executive executives doctor doctors
    scientist scientists economist economists teacher teachers student students officials
""".split())
"""Heads of noun phrases that speak in news: "a spokesman", "the report", "officials"."""

DETERMINERS = frozenset("the a an his her their its our my this that these those no".split())
"""Determiners before a candidate noun phrase ("the report")."""

NEGATING = frozenset({"no"})
"""A noun phrase after one of these names nobody: "there are no reports"."""

PERSONAL_PRONOUNS = {"he": "he", "she": "she", "they": "they", "it": "it", "i": "i", "we": "we"}
"""Pronouns that may be a quotation's source, mapped to the kind the features name."""

ORGANISATION_HEADS = frozenset("""
    agency ministry department company firm group organisation organization council
    committee bank union university institute association foundation commission charity
""".split())
"""Heads of a definite description that stands for an organisation named before it ("the
agency", "the company"): resolved to that organisation."""

PREPOSITIONS = frozenset("""
    on in at to by for with from of about against into over under after before during
    between among via through without toward towards than like
""".split())
"""A mention right after one of these is an object ("on Twitter", "to Smith"), rarely the
one who speaks."""

GIVEN_NAME_FORMS = {
    form: forms.split()[0]
    for forms in """
        william bill billy will | robert bob bobby rob | joseph joe | james jim jimmy |
        michael mike | richard dick rick | thomas tom | anthony tony | christopher chris |
        daniel dan danny | david dave | edward ed ted eddie | john jack johnny | elizabeth liz
        beth betty | katherine catherine kate kathy | bernard bernie | benjamin ben |
        nicholas nick | stephen steven steve | samuel sam | patrick pat | andrew andy |
        alexander alex | charles charlie chuck | henry hank | lawrence larry | gerald jerry |
        ronald ron | donald don | jennifer jenny jen | margaret maggie meg peggy | susan sue |
        timothy tim | matthew matt | jonathan jon | kenneth ken | gregory greg | jeffrey jeff
    """.split("|")
    for form in forms.split()
}
"""A given name's common short forms, each mapped to the full form: "joe" -> "joseph"."""

# fmt: on
