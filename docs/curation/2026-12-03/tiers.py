import urllib.parse
OFFICIAL_SUFFIX = ('europa.eu','legislation.gov.uk','zakon.rada.gov.ua','rada.gov.ua','consilium.europa.eu','nato.int','gov.me','gov.rs','gov.mk','gov.al','gov.ba','gov.ge','gov.md','gov.ua','gov.tr','gov.uk','gov.si','gov.gr','gov.hr',
  'eu.me','europa.ba','europa.rs','avrupa.info.tr','euforbih.org','eumm.eu','bmvg.de','vnk.fi','government.nl','eu2015lu.eu','europehouse.al','skupstina.me','vs.rs','mfa.gov.md','mfa.gov.ge','mod.gov.ge','mod.gov.mk','mod.gov.rs','odbrana.gov.me','euic.me','seio.gov.rs','mei.gov.rs','otvorenavlada.rs','socijalnoukljucivanje.gov.rs','police.ge','nsa.gov.al','ab.gov.tr','tcmb.gov.tr','euturkey.org.tr','eu4ukraine.eu','mvp.gov.ba','decentralization.gov.ua','eurlex.europa.eu','president.gov.ua','kremlin.ru','mfa.gov.ua','mil.gov.ua','parliament.bg','mzv.cz','diplomatie.gouv.fr','auswaertiges-amt.de','state.gov','gov.pl','mfa.gr','kormany.hu','vlada.gov.hr','mvep.gov.hr','europarl.europa.eu','eeas.europa.eu','ec.europa.eu','eda.europa.eu','un.org','osce.org','coe.int','mfa.gov.rs','mfa.gov.tr','msb.gov.tr','ssb.gov.tr','mfa.gov.al','mfa.gov.mk','mfa.gov.ba','mfa-ks.net','rks-gov.net','kryeministri.rks-gov.net','presidency.ro','mae.ro','mapn.ro')
STATE_MEDIA = ('tass.com','tass.ru','sputniknews.com','sputnikglobe.com','sputnik','rt.com','ria.ru','news-front.info','anlatilaninotesi.com.tr','xinhuanet.com','azertag.az','aa.com.tr','trt','ukrinform','mia.mk','moldpres.md','tanjug','urdupoint.com')
WEAK = ('wikipedia','wiki','kiwix','blogspot','forum','slideshare','scribd','einpresswire.com','wordscope.be','lexaris.de','byteseu.com','mil-osi','1300webski','turkishliving','skybluestalk','friendlywiki','particlenews','imolaoggi','fanyv88','debuglies','moralepatcharmory','turks.us','kajgana','wikiclassic','parlement.com','piglix','love-europe','eeas.eu.com','worldlii.org','pitchsend','mediapart','tricksfast','global-regulation','lexcovery','euroasia24','europalov','germandailynewsus','grayscaleinsight','denederlandsegrondwet.nl','eumonitor','parlementairemonitor','wired-gov.net','pubaffairsbruxelles','frdocs.com','agenparl','government-world.com','globalsecurity.org','globaldefence.net','ieu-monitoring','eueastdev.a3ia','webarchive.library.unt.edu','serbianconsulate.bc.ca','thelatestnews.world','q0kks.group','darelhilal','opslens','america-times','oneindia','topix.com','menafn','euroalert','naslovi.net','cherna.gora.me','welcometoserbia','dataverse.harvard','ts.lica','cbcsrb-mne','dijalogkoneu','wb6cif','ydemokrat','newsbyi','greeceoutsidein','politikinewsaaa','quotidianodifoggia','24h.com.cy','mojkontakt','defbrief','shqipet.ch','europeaninterest','germandaily','dunya.com','nation.com.pk','thenationalnews','infobalkans','balkanview','m.gorod.dp.ua','inserbia','serbiennachrichten','lrytas','evz.ro','darelhilal','mondo.rs','caliber.az','report.az','trend.az','news.am','112.international','censor.net','bm.ge','eurasia.ro','europediplomatic','politis.com.cy','greekcitytimes','protothema','postimees','anews.com.tr','cibal.eu','emg.rs')
def host(url):
    u=urllib.parse.urlparse(url); h=u.netloc.lower().split(':')[0]
    if h.startswith('www.'): h=h[4:]
    return h
import re
OFFICIAL_RE = re.compile(r"(^|\.)(gov|gv|mil|mfa|parliament|parlament|government|valitsus|regjeringen|presidency|president|vlada|kormany|bundesregierung)\.|(^|\.)(gov|gouv|gob|gv)\.[a-z]{2}$|\.gov$|embassy|difesa\.it|finlandabroad\.fi|^eu20\d\d|^romania2019\.eu|^eu2016\.|\.europa\.eu$|^europa\.eu$|publications\.parliament\.uk|legislation\.gov\.uk")
STATE_DOMAINS = ('tass.com','tass.ru','sputniknews.com','sputnikglobe.com','rt.com','ria.ru','news-front.info','anlatilaninotesi.com.tr','xinhuanet.com','azertag.az','aa.com.tr','trt.net.tr','trtworld.com','ukrinform.net','ukrinform.ua','ukrinform.de','mia.mk','new.mia.mk','moldpres.md','tanjug.rs','urdupoint.com','sputnik.md','sputnik-georgia.com')
def _is(h, doms):
    return any(h == d or h.endswith('.' + d) for d in doms)
def tier(s):
    url=s['url']; h=host(url)
    if h=='web.archive.org':
        inner=url.split('/',5)[-1] if url.count('/')>=5 else ''
        inner='http'+inner.split('http',1)[1] if 'http' in inner else inner
        return tier(dict(s,url=inner)) if inner else 'weak'
    if _is(h, STATE_DOMAINS) or 'sputnik' in h: return 'state-media'
    if any(k in h for k in WEAK) or 'wiki' in h: return 'weak'
    if _is(h, OFFICIAL_SUFFIX) or OFFICIAL_RE.search(h): return 'official'
    if s.get('kind')=='secondary': return 'weak'
    if s.get('kind')=='official': return 'weak-official-copy?'
    return 'reliable'
