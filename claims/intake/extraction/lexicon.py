"""The words the extractor knows by heart: what ends a sentence, what reports speech, what names a speaker.

Word classes of English news writing, not the words of any one article: add to a class, never a special case.
"""


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ABBREVIATIONS = words(
    "mr mrs ms dr prof sen rep gov gen lt col sgt capt st jr sr inc corp co ltd vs etc no mt ft dept est "
    "jan feb mar apr jun jul aug sep sept oct nov dec supt atty"
)
# After a dotted abbreviation ("U.S.") a new sentence only starts with one of these words.
SENTENCE_OPENERS = words("The A An He She It They We I But And In On At This That These Those There")

# --- reporting verbs -------------------------------------------------------------------------------------------------
# Each takes what was said after it ("said that ...", "said: ...") or before it ("..., she said."), or a quote.
_SAY = (
    "say said says tell told tells add added adds state stated states note noted notes write wrote writes written "
    "tweet tweeted tweets claim claimed claims argue argued argues insist insisted insists assert asserted asserts "
    "maintain maintained maintains declare declared declares explain explained explains continue continued "
    "continues warn warned warns announce announced announces acknowledge acknowledged acknowledges admit admitted "
    "admits allege alleged alleges deny denied denies confirm confirmed confirms report reported reports reiterate "
    "reiterated reiterates testify testified testifies stress stressed stresses emphasize emphasized emphasizes "
    "emphasise emphasised emphasises comment commented comments remark remarked remarks observe observed observes "
    "concede conceded concedes confess confessed confesses recall recalled recalls respond responded responds "
    "reply replied replies answer answered answers caution cautioned cautions counter countered counters "
    "disclose disclosed discloses reveal revealed reveals complain complained complains boast boasted boasts "
    "suggest suggested suggests contend contended contends predict predicted predicts cite cited cites"
)
REPORTING_VERBS = words(_SAY)
# What a study, a body or an analyst finds or estimates: reported speech when a "that" clause follows.
FINDING_VERBS = words(
    "find found finds show showed shown shows conclude concluded concludes estimate estimated estimates project "
    "projected projects calculate calculated calculates determine determined determines"
)
# "pointed out that": a verb and its particle.
PHRASAL_VERBS = {"pointed": "out", "points": "out", "point": "out"}
# "..., saying that ...": the speaker is the subject of the clause before the comma.
PARTICIPLES = words(
    "saying adding noting arguing warning claiming stressing explaining insisting citing stating admitting "
    "confessing acknowledging denying telling"
)
# Verbs whose statement is the whole sentence: "X accused Y of Z" says that Y did Z; "X rejected Y as false".
CHARACTERISING_VERBS = words(
    "accused accuses blamed blames credited credits criticized criticised rejected rejects dismissed dismisses "
    "denounced denounces described describes branded brands labeled labelled labels decried decries"
)
# Of those, the ones that characterise only with "as": "rejected the claims as false", not "rejected the bill".
CHARACTERISING_WITH_AS = words(
    "rejected rejects dismissed dismisses described describes branded brands labeled labelled labels"
)
CALLED = words("called calls")
# Verbs of the present tense: "X says" is said as the article is published.
PRESENT_TENSE = frozenset(
    verb
    for verb in REPORTING_VERBS | FINDING_VERBS
    if not verb.endswith("ed") and verb not in words("said told wrote written found shown")
)
# Between a subject and its verb: "has said", "also told", "previously wrote".
AUXILIARIES = words(
    "has have had also previously recently later once repeatedly publicly privately ultimately initially first "
    "then already again reportedly separately earlier further flatly always often long consistently frequently "
    "never since now"
)
# A speech verb followed by one of these is something else: "declared himself", "told to leave", "said to be".
NOT_SPEECH_AFTER = words("himself herself themselves itself off up by of")
SAID_TO = words("say said says tell told tells")  # "said to be", "told to leave": not speech
# Verbs that also take a plain object ("added landers", "maintains an office", "the state government"): speech
# only when what was said follows ("that", a colon, a quote) or comes before them ("..., she added.").
NEED_THAT = words(
    "add added adds maintain maintained maintains note noted notes state stated states comment "
    "comments observe observed observes recall recalled recalls reveal revealed reveals disclose disclosed "
    "discloses respond responded responds answer answered answers reply replied replies counter countered "
    "counters suggest suggested suggests predict predicted predicts acknowledge acknowledged acknowledges "
    "continue continued continues remark remarks report reports concede conceded concedes stress stressed "
    "stresses emphasize emphasized emphasizes emphasise emphasised emphasises reiterate reiterated reiterates "
    "caution cautioned cautions complain complained complains boast boasted boasts write writes"
)
BE = words("is are was were be been being 's")

# --- clauses -----------------------------------------------------------------------------------------------------
CLAUSE_OPENERS = words(
    "that but and as while when because though although despite after before if since or so yet where whereas "
    "which who whom whose"
)
PREPOSITIONS = words(
    "in on at for from with by to of after before during about into over under since until via per through "
    "amid among between against without within like unlike"
)
# What ends an inverted speaker: "said Sarah Chen in a statement", "said Shotwell, referring to ...".
CIRCUMSTANCES = words(
    "in on at after during who when while as to from before adding citing referring which whose where according"
)
# Words that open a clause and are not part of the speaker after them: "But Arroyo said", "As Feng reports".
LEADING_WORDS = words(
    "and but yet so as while though although however meanwhile also still then now even only instead moreover "
    "furthermore indeed later earlier separately finally thus hence therefore nevertheless nonetheless besides "
    "since because when if after before once whereas where"
)
# The audience of "told": "told reporters that", "told the crowd".
AUDIENCE_WORDS = words("reporters journalists lawmakers the a an crowd audience members supporters")

# --- speakers ------------------------------------------------------------------------------------------------------
TITLES = {
    "mr.": "",
    "mrs.": "",
    "ms.": "",
    "dr.": "doctor",
    "prof.": "professor",
    "sen.": "senator",
    "rep.": "representative",
    "gov.": "governor",
    "gen.": "general",
    "lt.": "lieutenant",
    "col.": "colonel",
    "sgt.": "sergeant",
    "capt.": "captain",
    "supt.": "superintendent",
    "atty.": "attorney",
    "pres.": "president",
    "sir": "",
    "dame": "",
}
ROLE_WORDS = words(
    "president vice prime minister deputy foreign defense defence interior finance secretary state senator "
    "representative governor mayor chief general director chairman chairwoman chair spokesman spokeswoman "
    "spokesperson ambassador judge justice king queen prince princess pope interim acting former leader "
    "commissioner chancellor ceo cfo coo officer adviser advisor superintendent speaker attorney sheriff "
    "inspector auditor treasurer premier chairperson executive founder co-founder head manager analyst economist "
    "professor doctor physician researcher author scientist correspondent editor reporter columnist lawyer "
    "prosecutor coach teacher nurse student worker farmer owner resident driver suspect captain senior associate "
    "assistant "
    "lieutenant colonel sergeant detective agent "
    "administrator coordinator councilman councilwoman councillor member minority majority whip representative "
    "democratic republican democrat gop labour labor conservative liberal"
)
ORGANIZATION_WORDS = words(
    "department ministry ministries office agency agencies council commission committee government party police "
    "army navy kremlin house congress senate parliament court bank fund organization organisation union unions "
    "association institute university reuters tass afp ap company inc. corp. co. ltd. llc embassy service bureau "
    "administration campaign group groups coalition center centre foundation board authority authorities network "
    "federation alliance assembly society academy hospital school schools district project program programme network "
    "corporation airline airlines airways times post news press magazine journal tribune herald daily "
    "television radio channel team club league firm firms studio studios laboratory lab labs force forces "
    "command ministries commissions councils departments offices boards productions shelter equities capital "
    "partners holdings media entertainment securities ventures technologies motors pharmaceuticals institutes"
)
# A person's name may have these words in lower case: "Ludwig van Beethoven", "Omar al-Bashir".
# Who someone is, said before their name: "American Kevin King and Australian Timothy Weeks".
DEMONYMS = words(
    "american australian british canadian chinese french german indian iranian iraqi israeli italian japanese "
    "korean mexican pakistani palestinian russian saudi spanish syrian turkish ukrainian afghan egyptian "
    "brazilian nigerian kenyan south african dutch swedish norwegian danish finnish polish irish scottish welsh "
    "english greek lebanese jordanian yemeni libyan sudanese ethiopian somali venezuelan colombian argentine "
    "chilean peruvian cuban filipino indonesian malaysian thai vietnamese taiwanese belgian swiss austrian "
    "czech hungarian romanian bulgarian serbian croatian qatari emirati kuwaiti omani bahraini"
)
# Role words that are common surnames too: "Kevin King", "Angela Judge" (but "Florida Governor" is a role).
SURNAME_ROLES = words("king judge bishop dean chancellor marshal major sheriff speaker")
# A couple of people named together before: "both men", "the two women".
PAIR_WORDS = words("men women")
NAME_PARTICLES = words("de da di du la le van von der den bin al del dos das ter ten")
# Heads of a plural group of people: "local officials", "most mainstream economists".
GROUP_NOUNS = words(
    "critics officials analysts experts diplomats residents lawmakers legislators activists witnesses authorities "
    "officers supporters opponents protesters sources observers economists scientists doctors physicians leaders "
    "researchers authors investigators prosecutors executives teachers workers employees members advocates "
    "organizers organisers parents students voters officials sides families farmers nurses police unions groups "
    "scholars historians politicians republicans democrats conservatives liberals people managers owners "
    "representatives delegates"
)
# Heads of one unnamed person: "an unnamed official", "a person familiar with the matter".
PERSON_NOUNS = words(
    "official spokesman spokeswoman spokesperson source diplomat aide minister auditor mayor governor president "
    "prosecutor chief senator lawmaker person man woman officer analyst expert resident witness refugee employee "
    "executive representative insider doctor physician teacher mother father wife husband son daughter brother "
    "sister friend neighbor neighbour victim survivor relative"
)
ANONYMOUS_WORDS = words("anonymous unnamed unidentified")
# "according to" these is no one: evidence is not a speaker.
NOT_SPEAKERS = words(
    "reports report documents document figures data records record statistics polls poll studies study surveys "
    "survey papers emails news evidence estimates estimate analysis research findings testimony filings filing "
    "court records sources"
)
PRONOUNS = words("he she they it we i you him her them")
# What a speaker phrase never contains: a verb or a clause of its own.
NOT_IN_NAMES = words(
    "is are was were be been being has have had do does did will would can could should may might must shall "
    "said says not no there here this these those what why how whether if than according"
)
NUMBER_WORDS = words(
    "one two three four five six seven eight nine ten eleven twelve dozen dozens hundred hundreds thousand "
    "thousands million millions billion billions trillion half third quarter"
)
# Where a statement was made: "in a company email sent by its chairman", "in a joint statement".
MEDIA = words(
    "statement statements email e-mail letter memo report study post tweet interview release filing blog speech "
    "video message note op-ed column editorial paper analysis survey briefing conference announcement notice"
)
DOCUMENTS = words("study report survey analysis paper review audit poll investigation")
CALENDAR_WORDS = words(
    "january february march april may june july august september october november december jan feb mar apr jun "
    "jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday"
)
TIME_WORDS = CALENDAR_WORDS | words("yesterday today tonight last this earlier")
# What speaks for someone: "his office said", "its spokesperson said"; "his wife Kali" is a person of her own.
SPOKESPEOPLE = words(
    "office spokesman spokeswoman spokesperson campaign lawyer lawyers attorney attorneys team aides aide "
    "administration government ministry representative representatives"
)
