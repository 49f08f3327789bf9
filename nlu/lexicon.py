"""Danger lexicon for the safety rule layer (LABELS.md, urgency ``emergency``).

Patterns run on normalised text (half-width, simplified, lower case). Each entry is
``(category, language, regex)``; ``language`` decides how negation is looked for (``zh``: the few characters
before the match inside the clause; ``en``: the few words before it). The category is forced only for
``lift``, ``gas`` and ``electrical`` (LABELS.md precedence); for the rest the model's repair category stands.
"""

from __future__ import annotations

import re

_ZH = "zh"
_G = "[^\\s，。！？,.!?；;]"  # a gap that stays inside one clause
_EN = "en"

DANGER: list[tuple[str, str, str]] = [
    # gas: any smell or leak, even with the valve closed
    ("gas", _ZH, r"(燃气|煤气|天然气|瓦斯|液化气)的?(异|怪|臭)?(味|气味|泄漏|泄露)|(燃气|煤气|天然气)报警(了|响)"),
    ("gas", _ZH, r"像(是)?(燃气|煤气|天然气)"),
    ("gas", _ZH, r"臭鸡蛋(的)?(味|气味)"),
    ("gas", _ZH, rf"(燃气|煤气|天然气|气)管{_G}{{0,6}}(漏气|破|在漏)|漏气(了|的声音|声)|在漏气"),
    ("gas", _ZH, rf"(燃气|煤气|天然气)?报警器{_G}{{0,6}}(响|叫|报警)"),
    ("gas", _EN, r"gas (smell|leak)|smells?.{0,12}like gas|"
                 r"gas (alarm|detector) (is |keeps )?(going off|beeping|sounding|ringing|went off)|"
                 r"smells? (of|like) gas|smelling gas|(leaking|hissing) gas|"
                 r"gas is leaking|rotten[- ]eggs? smell|smell of rotten egg"),
    # electrical: sparks, smoke, fire, shocks, whole unit without power
    ("electrical", _ZH, rf"火花|火星|冒火|打火花|起火|(?<![不打点])着火|失火|"
                        rf"电{_G}{{0,4}}(冒烟|烧)|(插座|开关|电线|线路|电箱|电表|插头|"
                        rf"配电箱|面板|空开){_G}{{0,8}}(冒烟|烧黑|烧焦|打火)|冒(白|黑|青)?烟|黑烟"),
    ("electrical", _ZH, rf"漏电|触电|被电(了|到)?|电到(了|手)|带电|电(了)?一下|麻手|手{_G}{{0,3}}麻"),
    ("electrical", _ZH, rf"(全屋|全家|家里|整个家|屋里|整套房){_G}{{0,4}}(都|全|全部|整个)?(停电|没电|断电|全黑)"),
    ("electrical", _EN, r"spark(s|ing|ed)?\b|smok(e|ing)\b(?! (alarm|detector))|"
                        r"on fire|caught fire|fire in|electric shock|"
                        r"got a shock|\bshocked\b|electrocut|live wire"),
    ("electrical", _EN, r"(whole|entire) (flat|apartment|unit|house|home) (has )?(no power|without power)|"
                        r"no power (in|at) (the|our) (whole|entire)|power is out in the (whole|entire)"),
    # lift: someone trapped
    ("lift", _ZH, rf"困(在)?{_G}{{0,6}}(电梯|梯)里|"
                  rf"电梯{_G}{{0,12}}(困人|困住|被困|关(在)?里面|出不去|卡人|夹人|夹到人|里有人|里面有人)|"
                  rf"(关|卡|困)(在)?电梯里|(电梯|梯)[^。！？!?]{{0,12}}有人在(里面|里头|里边)|电梯里(面)?(有人|还有)|扶梯{_G}{{0,8}}(卷|夹){_G}{{0,6}}(人|脚|手|鞋)"),
    ("lift", _EN, r"(trapped|stuck) (in|inside) (the |a |lift |elevator )*(lift|elevator)|"
                  r"(lift|elevator).{0,40}(with (people|someone|somebody|kids?|children) inside)|"
                  r"(people|someone|somebody|person|kids?|children)('s| is| are)? (trapped|stuck) in"),
    # water: burst pipes, flooding, sewage, whole unit without water
    ("water", _ZH, rf"(管|龙头){_G}{{0,3}}爆|爆管|爆裂|管{_G}{{0,4}}(炸开|裂开|断了|崩开|脱落|破了)|"
                   rf"喷水|水{_G}{{0,3}}(喷|呲|往外冒|冒出来|往外喷)|哗哗{_G}{{0,2}}(往外|冒|喷|流到|往下|灌)"),
    ("water", _ZH, rf"水漫|漫水|淹了|被淹|淹到|进水了|灌水|往下灌|往{_G}{{0,3}}(家|屋|房间)里?灌|倒灌|"
                   r"反水|返水|成河|瀑布|发大水|没过脚|水帘洞|成了?(游泳池|泳池|水塘|水池)|"
                   rf"水{_G}{{0,4}}流到(客厅|卧室|楼下|房间|电梯)|像下雨一样|滴水成线|滴成(一条)?线"),
    ("water", _ZH, rf"(冒|返|涌|溢)(污|脏|粪|黑|臭)水|粪水|污水{_G}{{0,4}}(冒|返|倒灌|往外)|"
                   rf"化粪池{_G}{{0,4}}(返|冒|反|往)|"
                   rf"下水道{_G}{{0,4}}(往外|往上)?(冒|返|反)(脏|污|黑|臭)"),
    ("water", _ZH, rf"(全屋|全家|家里|整栋|整个单元|单元|小区|整个){_G}{{0,6}}(都)?(停水|没水|没有水)|"
                   rf"一滴水都没|一点水都没|"
                   r"完全没水|没水了"),
    ("water", _EN, r"\bburst\b|(pipe|water main|main) (burst|broke|break|split|exploded)|"
                   r"(exploded|split open)|flood(ing|ed)?\b|"
                   r"water (is )?(pouring|gushing|spraying|everywhere)|(pouring|gushing) (through|from)|"
                   r"\bsewage\b|under water|no water at all|zero water|(whole|entire) (building|flat|apartment) "
                   r"has no water"),
    # structure and common areas
    ("wall_floor_ceiling", _ZH, rf"(吊顶|天花板|天花|石膏板?|外墙|瓷砖|墙砖|水泥块|砖){_G}{{0,6}}(塌|掉下来|往下掉|砸)|"
                                rf"砸(到|坏|在)"),
    # imminent fall with the thing named in an earlier clause ("瓦片松了好几块，随时可能会掉落"); model category stands
    ("wall_floor_ceiling", _ZH, r"随时(都)?(有)?(要|会|可能|将)*"
                                r"(掉落|掉下来|坍塌|塌下来|垮塌|倒塌|坠落|砸下来)|摇摇欲坠"),
    ("wall_floor_ceiling", _EN, r"(ceiling|plaster).{0,20}(fell|collapsed|came down|falling)|"
                                r"(tiles?|bricks?).{0,10}falling|fell onto|(chunk|piece) of (the )?ceiling"),
    ("door_window", _ZH, rf"(窗|玻璃){_G}{{0,8}}(要掉|快掉|掉下|掉到|坠|砸)|"
                         rf"(窗|玻璃|窗框|框子)[^。！？!?]{{0,14}}(?<![不没别])(随时|马上|眼看|快|就|要|会){{1,3}}(掉|坠|砸|脱落)"),
    ("door_window", _EN, r"window.{0,40}(might|could|about to|going to|will) (fall|drop|come off)|"
                         r"window.{0,30}(falling|fall onto|fell)|glass.{0,15}fell"),
    ("public_area", _ZH, rf"井盖{_G}{{0,4}}(没了|不见|丢|碎|掉|没有)|"
                         rf"下水道盖子?{_G}{{0,3}}(不见|没了)|围墙{_G}{{0,4}}(倒|歪|塌)"),
    ("public_area", _EN, r"manhole.{0,20}(missing|open|no cover|gone)|(open|uncovered) manhole|"
                         r"fence.{0,20}collapse"),
]

# Hazards described rather than named (issue 12): something falling or about to fall onto people, people or
# body parts caught, a barrier hitting people, downed/hanging wires, carbon monoxide, estate-wide outages, open
# holes in walkways. Each pattern combines a *thing* with a *dangerous state*, so new wordings of either half
# still meet. These categories are "strong": the danger decides the category over the model's guess.
_OVERHEAD_ZH = ("(天花板|天花|吊顶|顶棚|屋顶|顶上|楼顶|墙皮|墙灰|石灰|腻子|抹灰|灰块|外墙|外立面|墙面|墙体|围墙|"
                "外墙砖|外墙皮|瓷砖|墙砖|水泥块?|混凝土块?|砖块?|石块|碎块|雨棚|阳台板|栏板|装饰(线|条|板)|"
                "构件|保温层|挂板|幕墙|广告牌|招牌|空调外机|外机|树枝|大树|高空|木头|木板|木梁|瓦片|屋檐|房檐|檐口)")
_FALL_ZH = ("(掉下来|掉下去|掉了下来|往下掉|掉落|坠落|坠下|脱落下来|砸(下来|到|中|伤|在|坏)|"
            "(坍)?塌(了|下来|落|掉)|垮(了|塌|下来)|倒塌|坍塌|随时(都)?(有)?(要|会|可能|将)*(掉|塌|垮|砸|坠|脱落|倒)|"
            "摇摇欲坠|要掉(下来)?了|快(要)?掉(下来)?了|(往外|向外)?(鼓(出来|起来|出)|外凸|凸出来)|悬(在)?空|"
            "掉(到|在)(了)?{g}{{0,4}}(床|人|头|身上|路上|车上|地上|路人|行人))")
_GLASS_ZH = "(窗户?|玻璃|窗框|窗扇|纱窗|框子|幕墙玻璃)"
_BODY_ZH = "(手|脚|手指|头|胳膊|腿|孩子|小孩|小朋友|宝宝|老人|人|狗|孩)"
DESCRIBED: list[tuple[str, str, str]] = [
    ("wall_floor_ceiling", _ZH, rf"{_OVERHEAD_ZH}{_G}{{0,10}}{_FALL_ZH.format(g=_G)}"),
    ("wall_floor_ceiling", _ZH, r"高空坠物|高空落物"),
    ("wall_floor_ceiling", _ZH, rf"(外墙|外立面|外墙砖|外墙皮|幕墙|保温层|外墙瓷砖|墙体){_G}{{0,8}}"
                                r"(大面积|成片|大块|整块)?(脱落|剥落|掉落|掉块|开裂倒塌)"),
    ("door_window", _ZH, rf"{_GLASS_ZH}{_G}{{0,10}}{_FALL_ZH.format(g=_G)}"),
    ("public_area", _ZH, rf"(道闸|闸杆|栏杆机|挡车杆|起落杆|升降杆|抬杆|道杆|自动门|卷帘门|电动门|伸缩门)"
                         rf"{_G}{{0,8}}(砸|打|撞|扫|夹|压)(到|中|伤|倒|了|在)"),
    ("lift", _ZH, rf"电梯门?{_G}{{0,4}}(夹住|夹着|夹到|卡住)(了)?{_G}{{0,6}}"
                  r"(人|孩子|小孩|老人|手|脚|书包|衣服|宠物|狗)"),
    ("public_area", _ZH, rf"被(门|电梯门|道闸|闸杆|自动门|卷帘门|电动门|伸缩门|旋转门){_G}{{0,3}}(夹|砸|撞|压)"),
    ("public_area", _ZH, rf"{_BODY_ZH}{_G}{{0,4}}(被)?(夹住|夹在|卡住了|卡在|卷进|卷入|困在|困住|压在|出不来)"),
    ("public_area", _ZH, rf"(夹|卡|困|压)(住|到)了?{_G}{{0,2}}(孩子|小孩|小朋友|宝宝|老人|人|手|脚|手指)"),
    ("electrical", _ZH, rf"(电线|电缆|线缆|高压线|电源线|电线杆|线路|电杆){_G}{{0,8}}"
                        rf"(掉(下来|在|到|地上)|垂(下来|到|在|着)|耷拉|断(了|掉|落|开)|落(在|到)地|搭在|拖在地上|挂在{_G}{{0,4}}(树|车|路|人|栏杆)|倒(了|在))"),
    ("electrical", _ZH, r"(掉落|断落|垂落|断掉|脱落)的?(电线|电缆|高压线)"),
    ("electrical", _ZH, rf"(小区|整栋|整幢|整个楼|整个单元|全楼|全小区|整个小区|整片|片区|我们楼|一栋楼|几栋楼|这栋楼|"
                        rf"一整栋|全村|整条街){_G}{{0,16}}(都)?(停电|没电|断电|没有电|全黑|一片漆黑)"),
    ("water", _ZH, rf"(全小区|整个小区|小区|整栋|整幢|整个楼|全楼|我们楼|这栋楼|全村|家里|屋里|全屋|我家|我们家)"
                   rf"{_G}{{0,16}}"
                   r"(都)?(停水|没水|断水|没有水|没(有)?来水|不来水|一滴水)"),
    ("gas", _ZH, r"一氧化碳|煤气中毒|co(报警|浓度|超标)|燃气中毒"),
    # a structure leaning or about to topple over people (imminent; see IMMINENT)
    ("public_area", _ZH, r"(围墙|挡土墙|护坡|院墙|边坡|电线杆|路灯杆|灯杆|广告牌|大树|树)[^。！？!?]{0,24}"
                         r"(已经?|己|开始|明显)?(向外|往外|朝外|往路边|向路边)?(倾斜|歪斜|歪了|倾倒|快倒|要倒|快要倒)"),
    ("wall_floor_ceiling", _ZH, r"(墙体|外墙|楼体|楼房|房屋|整栋楼|这栋楼|阳台|房子)[^。！？!?]{0,24}"
                                r"(已经?|己|开始|明显)?(向外|往外)?(倾斜|歪斜|下沉倾斜|快倒|要倒|快要倒)"),
    ("public_area", _ZH, rf"(井盖|窨井盖|雨水篦子|篦子|下水道盖|盖板){_G}{{0,6}}"
                         r"(没了|不见|丢|碎|缺失|被偷|破了|翻|塌|掉(下去|了)|翘起|松动|裂开)|"
                         rf"(路面|地面|马路|人行道|小区路|道路|地下车库|车库入口|广场){_G}{{0,6}}"
                         r"(塌陷|塌了|陷下去|大坑|深坑|空洞|塌方)|"
                         r"(大|深)坑{_G}{{0,6}}(掉|摔|崴|危险)"),
    ("water", _ZH, rf"(水|积水|雨水|污水)(已经)?{_G}{{0,4}}"
                   r"(淹(到|了|没)|没过|过膝|齐腰|到膝盖|漫进|涌进|灌进|进(了)?(屋|家|车库|电梯|地下室))|"
                   rf"(车库|地下室|地库|电梯井|一楼|大堂){_G}{{0,6}}(进水|被淹|淹了|内涝|全是水|积水很深)|内涝"),
    ("water", _ZH, r"(粪|粪便|污水|脏水|化粪池|排污)[^。！？!?]{0,10}"
                   r"(往外冒|往外涌|冒出来|溢出来|溢出|涌出|漫出|满地|倒灌|往上冒)"),
    ("wall_floor_ceiling", _EN, r"(ceiling|plaster|facade|fa[cç]ade|bricks?|stones?|concrete|masonry|debris|tiles?|"
                                r"cladding|cornice|balcony|parapet|chunks?|pieces?).{0,30}"
                                r"(fell|falling|fall(ing)? (off|down|onto|on)|"
                                r"about to (fall|collapse|come down|give way)|collaps(ing|ed)|came down|coming down|"
                                r"hanging (loose|off|by)|bulging|dropping|crumbling (onto|on))"),
    ("door_window", _EN, r"(window|pane|glass).{0,40}(bulging|bowing|popping out|hanging (loose|off|by)|"
                         r"about to (fall|drop|pop|give)|over (the |a )?(walkway|sidewalk|entrance|street|path))"),
    ("public_area", _EN, r"(barrier|gate arm|boom( arm)?|parking arm|arm of the gate|gate).{0,40}(hit|hitting|struck|"
                         r"swinging|came down on|dropped on|fell on|slammed (on|into))"),
    ("public_area", _EN, r"(hand|finger|fingers|foot|leg|arm|head|child|kid|son|daughter|baby|toddler|someone|dog)"
                         r"('s)?.{0,20}(caught|stuck|trapped|jammed|pinned) (in|under|between)"),
    ("electrical", _EN, r"(downed|down|fallen|hanging|dangling|sparking|live|snapped) (power |electric(al)? |utility )?"
                        r"(wires?|cables?|lines?)|(wires?|cables?|power lines?).{0,30}(down on|hanging|dangling|lying|"
                        r"on the (ground|sidewalk|street|car|road|footpath|pavement|path|walkway)|resting on|fell|"
                        r"fallen|snapped)"),
    ("electrical", _EN, r"(whole|entire) (building|block|estate|complex|street|compound|tower).{0,25}"
                        r"(no power|without power|"
                        r"no electricity|blackout|power (is )?(out|off))|(power|blackout).{0,20}(whole|entire) "
                        r"(building|block|estate|complex|street)"),
    ("water", _EN, r"(whole|entire) (building|block|estate|complex|street|tower).{0,25}(no water|without water)"),
    ("public_area", _EN, r"(wall|fence|retaining wall|pole|lamp ?post|tree|sign|scaffolding|chimney).{0,30}"
                         r"(leaning (out over|out into|out onto|over|out|into|toward|towards|onto)|"
                         r"tilting|about to (topple|fall over|collapse)|"
                         r"could (topple|fall over|collapse) any)"),
    ("gas", _EN, r"carbon monoxide|\bco (alarm|detector)|\bco2? (is )?(high|leak)"),
    ("public_area", _EN, r"sinkhole|open (drain|sewer|hole|pit|manhole)|"
                         r"(drain|sewer|grate|grating|manhole|cover).{0,30}"
                         r"(unsecured|collapsed|missing|is open|left open|wide open)|hole in the (sidewalk|street|road|"
                         r"crosswalk|pavement|walkway)"),
    ("water", _EN, r"sewage.{0,20}(backing up|coming up|overflowing|pouring|everywhere)|water (is )?(rising|coming in "
                   r"under|up to (my|our|the) (ankles|knees))"),
]

# Past or recurring mentions: a danger told as history inside a complaint is not happening now.
PAST_DANGER = re.compile(
    r"上次|之前|去年|前年|上个月|上周|那次|以前|曾经|曾|当时|前段时间|上回|年前|月前|发生过|出现过|经常|多次|屡次|频繁|"
    r"时常|总是|老是|三天两头|隔三差五|每次|每逢|每到|一到(下雨|雨天|夏天|冬天)|几次|好几次|事件|隐患|每年|每天|每周|"
    r"次数|[一二两三四五六七八九十几\d]+次|看到|新闻|报道|听说|别的小区|其他小区|好几个小区|前期|曾|历史|每晚|天天|"
    r"每天晚上|一到晚上|一下雨就|一刮风就|一到.{0,4}就|动不动就|一年到头|"
    r"every (day|night|week|morning|evening|year)|each (time|year|winter)|all the time|whenever|"
    r"last (time|week|month|year|winter|summer)|previously|used to|in the past|every time|often|frequently|"
    r"repeatedly|several times|many times|history of|years ago|months ago|weeks ago"
)
SOFT_PAST = re.compile(r"昨天|昨晚|昨日|前天|前几天|yesterday|last night|the other day")
DANGER_NOW = re.compile(r"(?<!到)(?<!至)现在|正在|还在|目前|此刻|马上|赶紧|快来|快派|快点|又(?!一(个|次|起|家))|"
                        r"刚才|刚刚|一直在|"
                        r"\bnow\b|right now|"
                        r"currently|still|hurry|just now|at the moment|as we speak|again")
# Imminent-danger wordings are about the present even inside a complaint that tells history
# ("随时可能掉落", "已向外倾斜", "about to collapse"): the hazard exists now, only the harm is to come.
IMMINENT = re.compile(r"随时|摇摇欲坠|倾斜|歪斜|快倒|要倒|about to|leaning|tilting|any (minute|moment|day)")
# A hazard that exists now while only the harm to people is conditional ("墙面出现脱落，如果砸到人..."): something
# overhead has started to come away, and the message worries about people below.
DETACH_NOW = re.compile(r"(出现|已经|已|己|开始|正在|大面积|有)[^。！？!?]{0,3}"
                        r"(脱落|剥落|掉落|掉块|塌|松动|裂开往下掉)|"
                        r"(started|begun|is|are) (to )?(come away|detach|crumble|fall)")
HARM_TO_PEOPLE = re.compile(r"砸(到|伤|中|死)(了)?(人|行人|路人|小孩|孩子|老人)?|伤(到)?人|"
                            r"hit (someone|a person|people)|(injure|hurt|kill)s? (someone|people|a passer)")
# Ongoing-now wordings for outages and leaks ("直至现在...一直没有电", "一连几天没有来水").
ONGOING = re.compile(r"直至现在|直到现在|截至目前|到目前为止|一直没(有)?(电|水|来水|来电)|(一连|连续)"
                     r"(几|好几|[0-9一二两三四五六七八九十]+)天|(已经|都)(几|好几|[0-9一二两三四五六七八九十]+)天(了|都|没)|"
                     r"今天更|for (days|[0-9]+ days) now")
# Conditional or feared harm right before a match ("如果一来暴雨，将会...淹了", "生怕哪天整栋楼会坍塌").
LOCAL_HYPOTHETICAL = re.compile(r"如果|万一|假如|要是|一旦|将会|生怕|担心|害怕|恐怕|怕哪天|哪天|\bif\b|in case|worried")
HYPOTHETICAL_DANGER = re.compile(
    r"如果|万一|假如|要是|以防|会不会|是否会|一旦|if i ever|what if|what should i do if|in case|\bif\b|in the event"
)

# Wordings that may hide a danger: the bot asks one safety question ("有人受伤吗？水还在流吗？").
SAFETY_CHECK = re.compile(
    r"漏水(很|特别|非常|太)?(严重|厉害|大)|(一直|不停|不断)(在)?(流|漏|滴|冒)|止不住|关不住|水流不止|"
    r"电梯{0,1}[^，。！？,.!?]{0,6}(停了|坏了|不动了?|卡住|卡在|停在|故障)|电线(裸露|露在外面)|露(出)?电线|"
    r"焦味|烧焦|糊味|(天花板|吊顶|外墙|墙体|承重墙|梁|顶棚)[^，。！？,.!?]{0,6}(裂缝|开裂|裂开|裂了|下沉|变形)|"
    r"(窗|玻璃|外机|广告牌|吊顶|灯|吊灯)[^，。！？,.!?]{0,6}(松动|晃动|摇晃|松了|晃得)|(护栏|栏杆|扶手)[^，。！？,.!?]{0,6}"
    r"(断|松|坏|缺|没了|倒)|塌陷|下陷|安全隐患|很危险|太危险|"
    r"leak(ing)? (badly|a lot|heavily)|(water|it) (is |keeps )?(coming|running|pouring|dripping) (in|through|down)|"
    r"won't stop|(lift|elevator).{0,20}(stuck|stopped|broken down|not moving)|exposed wires?|burning smell|"
    r"smell of burning|crack(s|ed)? in the (ceiling|wall|facade|beam)|(ceiling|facade|beam).{0,20}crack|"
    r"loose (window|pane|glass|panel|railing)|"
    r"railing.{0,15}(broken|loose|missing)|caving|cave[ds]? in|very dangerous|safety hazard"
)

# A door that cannot close or lock is an emergency only at night.
DOOR_FAIL = re.compile(
    r"(门|锁).{0,8}(锁不上|关不上|锁不了|关不严|锁不住|弹不出|关不了|合不上)|"
    r"(door|lock).{0,30}(won't|wont|can't|cant|cannot|doesn't|doesnt|will not) (lock|close|shut|secure)|"
    r"(can't|cant|cannot) (lock|secure) (the |our |my )?(front |main |entrance )?door|lock (broke|is broken)"
)
NIGHT = re.compile(
    r"晚上|夜里|半夜|深夜|今晚|天黑|凌晨|夜间|睡觉|不敢睡|没法睡|(9|10|11|12|九|十|十一|十二)点(多|了|半)|"
    r"\bnight\b|tonight|midnight|evening|\bdark\b|\b(7|8|9|10|11|12) ?pm\b"
)
# A hob that will not light is gas/high (no smell) - LABELS.md.
DAY = re.compile(r"白天|上午|中午|下午|早上(?!好)|daytime|morning|afternoon|\b(8|9|10|11) ?am\b")
HOB_FAIL = re.compile(
    r"(灶|炉|灶台|灶具|灶眼|燃气灶|煤气灶).{0,8}(打不着|点不着|点不燃|不着火|打不起|点不起|不出火|不着)|"
    r"(hob|stove|cooker|burners?).{0,30}(won't|wont|doesn't|will not|don't) (light|ignite|catch)|"
    r"(hob|stove|cooker).{0,20}no flame"
)

NEG_ZH = re.compile(r"(没有|没(?!法)|不是|并不|不再|无(?!法)|不像|未|别)")
NEG_EN = re.compile(r"\b(no|not|nobody|never|without|none|isnt|wasnt)\b|n't|n’t")
POST_NEG_ZH = re.compile(r"^[^，。！？,!?;；\s]{0,6}(没有了|没了|已经好了|修好了|已处理|已经处理|停了|消失了|散了)")
POST_NEG_EN = re.compile(r"^[^,.!?;]{0,12}?('s|'?s| is| has| have)? ?(gone|stopped|over|cleared|been fixed|fine now|"
                         r"ok now|no longer)\b")
HYPOTHETICAL = re.compile(r"如果|万一|假如|要是|以防|if i ever|what if|what should i do if|in case")
PAST = re.compile(r"上次|之前|去年|上个月|上周|那次|以前|last (time|week|month|year)|previously")
NOW = re.compile(r"现在|正在|还在|马上|赶紧|快来|快派|快点|\bnow\b|right now|still|hurry")
RESOLVED = re.compile(r"不用(来|派|管|麻烦)|修好了|弄好了|自己.{0,4}好了|已经好了|没事了|取消|撤销|"
                      r"no need to send|fixed it|sorted|cancel|working again|never mind")

# A fault told as recurring, or as reported and ignored: a complaint (LABELS.md: "a repair that failed again or was
# never done"), not a first report. Triggers ("每次下雨", "every time we turn on the kettle") are not recurrence.
RECURRING_COMPLAINT = re.compile(
    r"(经常|频繁|三天两头|隔三差五|隔三岔五|老是|动不动|没事就|反复|屡次)(性)?(的)?(就)?(地)?(被)?(物业)?"
    r"(停水|停电|断水|断电|没水|没电|坏|漏|堵|跳闸|故障|出问题|困人|爆管|渗水|返水|冒)|一再|"
    r"[两三四五六七八九十几\d]+次(了|都|还)|"
    r"多次(反映|投诉|找|联系|报修|沟通|打电话)|不作为|推诿|推脱|踢皮球|互相推|无人(管|问|理|处理)|没人(管|理|处理)|"
    r"至今(未|没|仍|还)|again and again|keeps? (breaking|happening|coming back)|(three|four|five|several|many) times|"
    r"nothing (has been|was|is being) done|nobody (does|did) anything"
)
# Common-area lighting (LABELS.md public_area) versus a light inside the home (electrical).
PUBLIC_LIGHT = re.compile(r"路灯|街灯|灯杆|路灯杆|楼道灯|楼梯灯|走廊灯|车库(的)?灯|地库(的)?灯|感应灯|庭院灯|草坪灯|"
                          r"street ?lights?|street ?lamps?|lamp ?posts?|light ?poles?|(light|lamp) on (the |a )?post|"
                          r"(corridor|stairwell|garage|car park|parking lot) lights?")
UNIT_LIGHT = re.compile(r"(家里|屋里|卧室|客厅|厨房|卫生间|阳台)的?[^，。！？,.!?]{0,4}灯|"
                        r"(in|of) (my|our) (flat|apartment|unit|bedroom|kitchen|bathroom)|开关|插座|switch|socket")
COMPILED = [(cat, lang, re.compile(rx)) for cat, lang, rx in DANGER]
# The same, for the described hazards: (category, language, regex); their category beats the model's.
COMPILED_DESCRIBED = [(cat, lang, re.compile(rx)) for cat, lang, rx in DESCRIBED]
PRECEDENCE = ("lift", "gas", "electrical")

# Intent cues: emitted as extra features (not rules), so the model generalises beyond seen phrasings.
INTENT_CUES: dict[str, re.Pattern[str]] = {
    "cue_question": re.compile(
        r"请问|问一下|问下|问问|想问|咨询|了解一下|什么时候|多久|几年|"
        r"多少|怎么(办|交|弄|申请|算|开|补|收|样|买|卖|办理)|"
        r"能不能|可不可以|可以吗|是否|吗[?？]?$|呢[?？]?$|几点|哪里|在哪|哪个|找谁|有没有|是不是|[?？]$|"
        r"^(when|how|what|where|which|who|is|are|can|could|do|does|will|has|have)\b|\b(can i|could i|do i|is there|"
        r"are there|how (long|much|do|can|many)|what (is|are|time|does|documents)|when (is|will|can|do))\b"),
    "cue_complaint": re.compile(
        r"投诉|态度|赔|退款|退房|退回|说法|到底|又|还是|一直没|"
        r"没人(来|管|修|理|回|上门)|没修好|没解决|拖|敷衍|糊弄|不负责|"
        r"太差|太慢|差劲|骗|不像话|凭什么|好几次|第[二三四五六七八九十\d]次|"
        r"多少次|[两三四五六七八九十\d]次了|到现在|至今|说好|"
        r"承诺|约好|不通知|没通知|浪费|必须给|什么态度|搞什么|不满|质量太|负责|"
        r"complain|rude|again|\bstill\b|never (showed|came|turned|called)|nobody (came|has|showed|called)|"
        r"no one (came|has)|compensat|refund|unacceptable|terrible|ignored|chasing|delay|workmanship|"
        r"\b(three|four|five|\d) times\b|promised|supposed to|without (any )?notice|responsib|keep saying|"
        r"nothing happens|not fixed|isn't fixed|mess"),
    # Letters to the centre or to officials: the register of complaints about practice, quality and inaction.
    "cue_formal_complaint": re.compile(
        r"多次(反映|投诉|找|联系|报修|沟通)|反映(过|了)?(多次|很多次|好几次)|不作为|推诿|推脱|踢皮球|互相推|无人(管|问|理|处理)|"
        r"没人(管|理|处理)|至今(未|没|仍|还)|迟迟|久拖|拖了|"
        r"监管|督促|严查|查处|整改|维权|霸王|强制|强行|乱收费|捆绑|虚假宣传|质价不符|"
        r"偷工减料|违规|违法|合法吗|说法|讨个|做主|给个交代|赔偿|退房|损失|联名|"
        r"unacceptable|negligen|false advertising|"
        r"forced to|outrageous|compensation"),
    "cue_recurring": re.compile(
        r"经常|频繁|三天两头|隔三差五|老是|总是|每次|每年|每天|每周|一直|长期|长年|多年|几年|好几个月|几个月|半年|"
        r"[一二两三四五六七八九十几\d]+(次|回|遍)|又|还是|依然|仍然|"
        r"every (time|week|day|winter|month)|always|constantly|"
        r"keeps?|again|repeatedly|several times|for (weeks|months|years)"),
    # Someone else's conduct rather than a fault: unauthorised building work, change of use, nuisance (complaint).
    "cue_conduct": re.compile(
        r"私自|擅自|违章|违建|乱搭|搭建|加盖|未经.{0,6}同意|住改商|改成|改为|占用|占道|扰民|噪音|噪声|油烟|吵(得|死|闹)|"
        r"illegal(ly)?|without (a )?permit|loud (music|tv|party)|noise|barking|fumes"),
    # A neutral question about rules, rights or procedure (enquiry), as opposed to a demand.
    "cue_policy_question": re.compile(
        r"是否(合理|合法|合规|符合|有权|需要|可以|允许|属于)|符合.{0,8}吗|有没有.{0,4}(政策|规定|依据|文件|标准|要求)|"
        r"政策|规定|依据|归属|归谁|流程|手续|需要(哪些|什么)|怎么(申请|办理)|如何(申请|办理)|"
        r"who is responsible|is it legal|are they allowed|allowed to|is there a rule|rules? (on|about|for)|"
        r"how do i apply|what documents"),
    "cue_developer": re.compile(
        r"开发商|售楼|楼盘|交房|延期|房产证|不动产证|产权证|合同|车位|精装|承诺|宣传|配套|学区|验收|备案|网签|"
        r"developer|handover|certificate|contract|show flat|advertis|parking space"),
    "cue_thanks": re.compile(r"感谢|表扬|点赞|点个赞|锦旗|辛苦(了|你们)|谢谢(你们|师傅|物业)|服务(很|真|特别)?好|"
                             r"thank you|thanks (a lot|so much)|great job|well done|appreciate"),
    "cue_other": re.compile(
        r"^(好|ok|okay|嗯|行|收到|谢|多谢|thanks|thank|thx|got it|noted|bye|再见|拜拜|好的|好嘞|好滴|明白|知道)|"
        r"人工|真人|客服|机器人|取消|撤销|不用(来|派|了|麻烦)|不需要|修好了|弄好了|好了 ?不用|发错|错群|没事了|"
        r"\b(agent|human|person|cancel|no need|mistake|wrong chat|never mind|sorted|bot)\b|领红包|链接|代办|代开"),
    "cue_fault": re.compile(
        r"坏|不亮|漏|堵|裂|掉|不动|没电|没水|跳闸|松|卡|响|滴|渗|冒|不转|不制|不热|打不|关不|锁不|空鼓|起皮|发霉|"
        r"broken|broke|leak|block|clog|crack|loose|stuck|not working|doesn't work|won't|dead|drip|trip|noise|noisy|"
        r"peel|hollow|smell|fell|falling"),
}

# Words of the home, the estate and the developer. A message with none of them is probably not for a property
# customer centre (wrong chat, another public service): emitted as the ``cue_offtopic`` feature.
DOMAIN = re.compile(
    r"物业|小区|业主|住户|房|楼|栋|单元|户|家|屋|室|厅|厨|卫|阳台|电梯|梯|水|电|燃气|煤气|天然气|气|暖|空调|门|窗|锁|墙|"
    r"顶|地板|地砖|瓷砖|灯|管|漏|堵|修|坏|车位|车库|停车|保安|开发商|交房|装修|维修|保修|物管|业委会|绿化|垃圾|井盖|"
    r"路灯|道闸|围墙|噪音|邻居|租|"
    r"flat|apartment|unit|building|block|estate|tower|lift|elevator|water|power|electric|gas|heat|door|window|lock|"
    r"wall|ceiling|floor|light|lamp|pipe|leak|drain|sewer|manhole|repair|fix|broken|management|landlord|tenant|owner|"
    r"parking|garage|gate|neighbo|noise|rent|developer|handover|warranty|street|sidewalk|road|tree"
)
