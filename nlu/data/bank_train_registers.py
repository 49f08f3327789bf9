# ruff: noqa: E501  (one whole message per line)
"""Fifth training batch (issue 12): whole messages in the registers owners really use, written by hand.

One message per line as ``label | text``. Each line is its own message (no frames, no templates): formal
letters to the customer centre or to officials, angry chat, elderly voice-to-text without punctuation,
dialect, typos, mixed zh/en, foreign owners' English, 311-style street reports, very short and very long.
Aimed at the phenomena the builtin engine got wrong on real text: complaints that describe a fault, developer-
practice complaints (车位捆绑, 质价不符, 房产证/延期交房, 虚假宣传, 乱收费), recurring outages, public-area
repairs (street lights, manholes, sinkholes, railings, roads), hazards described rather than named, and
complaints that mention a past incident. Nothing here is taken or paraphrased from any evaluation set.
"""

TRAIN_ZH = """
complaint+none+normal | 尊敬的领导：我是锦绣华庭的业主，开发商在售楼时承诺小区配套双语幼儿园，如今交房三年幼儿园仍是一片空地，多次找开发商均被推诿，恳请相关部门督促落实。
complaint+none+normal | 开发商强制捆绑销售车位，不买车位就不给办理收房手续，这合法吗？我们业主坚决反对，请有关部门严肃查处。
complaint+none+normal | 买房时说好的精装修标准，交房一看全是杂牌货，橱柜一碰就掉皮，这就是你们说的品质？质价严重不符，要求开发商给个说法。
complaint+none+normal | 我们小区交房已经四年了，房产证到现在还没办下来，开发商每次都说在走流程，孩子上学落户都受影响，希望政府出面解决。
complaint+none+normal | 合同约定去年十二月底交房，现在已经延期八个月了，开发商既不交房也不按合同赔付违约金，业主们损失惨重。
complaint+none+normal | 售楼部宣传的地铁口、公园、商业街全都没有，纯属虚假宣传，我们要求退房或者赔偿。
complaint+none+normal | 物业乱收费，电梯费、二次供水费、公摊电费一年涨两次，从来没有公示过收支明细，业主有权知道钱花哪去了。
complaint+none+normal | 物业把小区的公共绿地改成停车位出租，收的钱进了谁的口袋？业委会多次提出都没有答复。
complaint+none+normal | 外来车辆随便进出小区，物业收了停车费就放进来，业主自己反而没地方停，晚上回来只能停到马路上。
complaint+none+normal | 小区地下车库只卖不租，不买车位连月租都不给办，物业和开发商联合起来逼业主买车位。
complaint+none+normal | 我们这栋楼的外墙从交房开始就渗水，开发商修了三次都没修好，现在保修期过了就不管了，请领导为我们做主。
complaint+none+normal | 楼板出现贯穿性裂缝，开发商请的鉴定机构说不影响安全，业主根本不信，要求重新请第三方检测。
complaint+none+normal | 房子层高比合同上少了十公分，找开发商理论他们说是误差范围，这种偷工减料的行为必须严查。
complaint+none+normal | 小区经常停水，一个月停了五六次，每次都不提前通知，家里老人小孩连饭都做不了，物业和水务公司互相推责任。
complaint+none+normal | 我们片区一到夏天就频繁停电，一晚上跳好几次闸，供电所说是线路老化，可几年了也没人来改造。
complaint+none+normal | 电梯三天两头坏，上个月还困过人，物业每次就是重启一下了事，维保公司根本不作为，请质监部门来查一查。
complaint+none+normal | 小区的污水管网设计不合理，去年暴雨的时候一楼被污水倒灌过两次，至今开发商没有任何整改。
complaint+none+normal | 物业服务太差了，垃圾好几天不清运，楼道里臭气熏天，打电话给物业就说人手不够，交的物业费都干嘛去了。
complaint+none+normal | 保安态度恶劣，我问了一句为什么不让我的快递车进，他就开口骂人，请物业公司严肃处理这个保安。
complaint+none+normal | 楼上天天半夜拖椅子、剁东西，找物业协调了三次，物业只会说我们没有执法权，那我们交物业费是干什么的？
complaint+none+normal | 小区里有人把一楼住宅改成麻将馆，每天吵到凌晨，还占用消防通道停车，物业视而不见。
complaint+none+normal | 隔壁楼有业主私自在楼顶搭建阳光房，物业说管不了，城管说要物业先报，到底谁来管？
complaint+none+normal | 开发商交房时承诺的小区围墙、门禁、监控至今没有建好，小区成了开放式的，经常丢电动车。
complaint+none+normal | 天然气开户费收了三千多，别的地方早就取消了初装费，我们这里凭什么还收？请价格部门核查。
complaint+none+normal | 去年楼道里的水管爆过一次，物业拖了一个星期才修，赔偿的事到现在一句话都没有。
complaint+none+normal | 小区以前发生过电梯困人事件，物业当时说会更换主板，结果一年过去了还是老样子。
complaint+none+normal | 家里的墙面大面积开裂，找了物业、找了开发商、找了住建局，踢皮球踢了半年，没有一个部门出来解决。
complaint+none+normal | 这个楼盘的质量问题太多了，渗水、空鼓、裂缝、门窗变形，我们几十户业主联名投诉，希望媒体也关注一下。
complaint+none+normal | 物业合同到期了，业主大会投票要换物业，老物业赖着不走，还断了业委会办公室的电。
complaint+none+normal | 维修基金被物业挪用，说是修电梯，可电梯根本没修，要求公开维修基金使用明细。
complaint+none+normal | 开发商把规划里的绿化带改成了商铺，小区容积率都变了，我们买房时看的沙盘不是这样的。
complaint+none+normal | 交房时发现实际面积比合同少了三个多平方，开发商拒绝退差价，请住建部门主持公道。
complaint+none+normal | 你们客服电话永远打不通，打通了就说登记一下，登记了一个月也没人回电，什么服务。
complaint+none+normal | 修了三次了 还是漏 你们到底有没有会修的师傅
complaint+none+normal | 说好上午来的 等到下午五点人影都没有 电话也不接 请假白请了
complaint+none+normal | 我真是服了 报修单提交半个月了 状态还是待处理
complaint+none+normal | 你们物业是摆设吗 楼道灯坏了两个月没人换
complaint+none+normal | 维修师傅上门弄得满地都是灰 走的时候也不收拾 还跟我要材料费
complaint+none+normal | 就这服务还涨物业费？先把路灯修好再说吧
complaint+none+normal | 电梯停了一个月了 物业就贴了张纸说在等配件 老人天天爬十几楼 你们良心不会痛吗
complaint+none+normal | 喂 我跟你说 你们那个管家 我找了他四回了 一回都没给我弄好 我七十多岁了跑不动了
complaint+none+normal | 我家卫生间漏水到楼下 修了好几遍了还是漏 楼下邻居天天来敲门 你们自己跟他解释
complaint+none+normal | 侬帮帮忙好伐 垃圾房门口臭得来 讲了多少趟了没人弄
complaint+none+normal | 咋回事嘛 水压一直恁个小 喊了好几回了都没得人来看 我们这些住高层的咋个过
complaint+none+normal | 俺家这个门都报了三回了 师傅来了瞅一眼就走 啥也不干
complaint+none+normal | 你哋啲维修师傅约咗又唔嚟 已经第三次喇 我真系好嬲
complaint+none+normal | 我要投訴 你們物業的工作人員態度太差了
complaint+none+normal | 投诉一下 小区门口的快递柜被物业收费了 取个快递还要钱
complaint+none+normal | 售后服务太烂了，新房交付不到一年，问题一大堆，维修永远排不上号。
complaint+none+normal | 物业经理承诺一周内给答复，现在已经过了二十天，请问这是什么工作效率？
complaint+none+normal | 第三次投诉同一个问题：地下车库渗水，车顶天天被滴脏，洗车费谁出？
complaint+none+normal | 小区绿化带被物业改成了收费停车场，原来的树全砍了，业主都不知情。
complaint+none+normal | 本人对贵司处理楼上漏水一事极不满意，维修拖延近两个月，造成我家木地板全部起拱，要求赔偿损失。
complaint+none+normal | 致物业公司：贵司于上月擅自停止供暖三日且未作任何通知，严重影响住户生活，特此书面投诉，望予以答复。
complaint+none+normal | 业主群里大家都在骂 说好的人车分流 现在车在小区里乱窜 差点撞到小孩 物业就是不管
complaint+none+normal | the developer promised a swimming pool 还有 gym 结果什么都没有 这不是骗人吗
complaint+none+normal | 楼下烧烤店油烟直接排到我们窗户上，投诉了环保和物业都没用，窗户都不敢开。
complaint+none+normal | 物业强制要求装修必须用他们指定的施工队，不然就不给办装修许可，这是霸王条款。
complaint+none+normal | 交了装修押金两年了，验收也通过了，物业就是拖着不退。
complaint+none+normal | 小区里的健身器材坏了一大半，有个单杠都断了，小孩在那玩很危险，说了多少次都不修。
complaint+none+normal | 热水管道改造说好十月完工，现在都十二月了还挖得到处是坑，进出都不方便。
complaint+none+normal | 学区划分跟开发商宣传的不一样，孩子没法上对口学校，我们要求开发商承担责任。
complaint+none+normal | 为什么我们小区的水费按商业用水收？居民用水凭什么按商业价？多收的钱要退给我们。
complaint+none+normal | 物业为了省电，晚上十点以后把楼道灯和路灯全关了，老人晚上出来摔了好几次。
complaint+none+high | 已经停水三天了，物业只说在抢修，家里老人孩子连口热饭都吃不上，到底什么时候来水？
complaint+none+high | 电梯坏了两个星期还没修，我们住二十六楼，我妈腿脚不好已经一周没下过楼了，今天必须给个结果。
complaint+none+high | 楼上漏水到我家天花板，报了四天了没人管，现在还在滴，床都搬出卧室了。
complaint+none+high | 家里唯一的马桶堵了两天，物业推给疏通公司，疏通公司推给物业，今天再不来我就报警了。
complaint+none+high | 停暖一个星期了 家里才十二度 孩子都冻感冒了 你们说在修 修了一个星期
complaint+none+high | 物业因为我家没交装修押金就把我家的水电停了，这是违法的，请马上恢复供水供电。
complaint+none+high | 这个月第四次停电了，今天又从早上停到现在，冰箱里的东西都坏了，供电局和物业谁来负责？
complaint+none+high | 热水已经一个礼拜不正常了 前后来了两拨人都没弄好 今天又冷水洗澡
repair+public_area+normal | 小区南门到三号楼那一段的路灯晚上全不亮，走路黑漆漆的，麻烦安排人看一下。
repair+public_area+normal | 东边那条小路的路灯坏了好几盏
repair+public_area+normal | 五栋门口的路灯一闪一闪的，晚上看着瘆人。
repair+public_area+normal | 地下车库B2的灯管坏了一排，停车的时候看不清。
repair+public_area+normal | 六号楼二单元楼道的声控灯怎么拍都不亮。
repair+public_area+normal | 小区健身区的跑步机坏了，踩上去不动。
repair+public_area+normal | 儿童滑梯的边上有个螺丝露出来了，小孩容易刮到，麻烦处理一下。
repair+public_area+normal | 单元门的闭门器坏了，门一直关不上，风一吹哐哐响。
repair+public_area+normal | 门禁刷卡没反应，我们单元的人都只能等别人开门。
repair+public_area+normal | 小区的信报箱门掉了一个。
repair+public_area+normal | 中心花园旁边的木栈道有几块木板松动了，踩上去会翘。
repair+public_area+normal | 河边步道的栏杆有一段锈得厉害，麻烦刷刷漆。
repair+public_area+normal | 车库出口的减速带掉了一截。
repair+public_area+normal | 三期大门口的人行道砖坏了好几块，下雨就积水。
repair+public_area+normal | 垃圾分类亭的感应灯不亮了。
repair+public_area+normal | 小区里靠近幼儿园那段路坑坑洼洼的，电动车骑过去颠得很。
repair+public_area+normal | 地库的道闸抬杆反应很慢，车要等半天才抬起来。
repair+public_area+normal | 楼下的雨水篦子堵满了树叶，下雨排不下去。
repair+public_area+normal | 七栋后面的井盖有点松，车压过去咣当响。
repair+public_area+normal | 大门的人脸识别坏了 一直识别失败
repair+public_area+normal | 小区东门那个伸缩门卡住了，只开一半。
repair+public_area+high | 楼道里的应急灯全不亮，晚上停电的话楼梯间一片黑，今天能来修一下吗。
repair+public_area+high | 地下车库入口的挡车杆被撞断了，现在车库谁都能进。
repair+public_area+high | 单元门的电磁锁坏了，门一直开着，外人随便进，今天能不能修好。
repair+public_area+high | 二号楼楼梯扶手松了，老人扶着都晃，麻烦今天来加固。
repair+water+normal | 小区的二次供水水箱好久没清洗了，水龙头出来的水有点黄，麻烦安排清洗一下。
repair+water+normal | 厨房下水有点慢 麻烦有空来通一下
repair+water+high | 家里水压特别小，洗澡的时候水只有一点点，从昨天开始的。
repair+water+high | 整个厨房的水龙头都没水了，卫生间有水，今天能来看看吗。
repair+electrical+normal | 我们楼的电压好像不稳，灯一会亮一会暗，晚上尤其明显。
repair+electrical+high | 家里空调和热水器一开就跳闸，这两天都没法洗澡。
repair+wall_floor_ceiling+normal | 卧室墙上的乳胶漆起了一片泡，手一按就掉粉。
repair+wall_floor_ceiling+normal | 客厅墙皮有一块脱落了 巴掌大小
repair+wall_floor_ceiling+normal | 阳台地砖裂了两块
repair+waterproofing+normal | 一下大雨 次卧的窗台下面就湿一片 墙纸都起皱了
repair+waterproofing+high | 顶楼业主，这两天下雨，屋顶渗水渗到客厅，接了两盆水了。
repair+fixtures+normal | 主卧卫生间的花洒头漏水，开水的时候到处喷。
repair+door_window+normal | 卧室的窗户推拉很费劲，轨道好像变形了。
repair+other+normal | 新风机噪音特别大，晚上睡不着。
repair+lift+normal | 电梯运行的时候有咔咔的声音，坐着心里发慌。
repair+lift+high | 我们单元两部电梯都停了，现在没人在里面，但住高层的老人下不了楼。
repair+water+emergency | 地下室进水了 水已经淹到膝盖了 快派人来抽水
repair+water+emergency | 楼道里的消防管爆了 水顺着楼梯往下冲 好几层都进水了
repair+water+emergency | 化粪池满了，粪水从一楼的地漏往外冒，整个大堂都是，臭得不行。
repair+water+emergency | 暴雨车库里的水越来越深 好多车泡在水里了
repair+water+emergency | 整栋楼从早上停水到现在一滴都没有，物业也没通知，几百户人家等着用水。
repair+water+emergency | 我们整个小区都停水了，现在还没来，家里一滴水都没有。
repair+electrical+emergency | 整个小区都停电了，电梯也停了，现在黑灯瞎火的，什么时候能来电？
repair+electrical+emergency | 这栋楼从昨晚开始全部停电，到现在还没来，冰箱里的药都要坏了。
repair+electrical+emergency | 刮大风把电线杆吹歪了，电线耷拉到人行道上，离地面不到一米。
repair+electrical+emergency | 小区门口有根电线断了掉在地上，还在滋滋冒火星，小孩放学要从这过。
repair+electrical+emergency | 楼下配电房里在冒烟，有一股烧焦的味道。
repair+electrical+emergency | 有根电缆从树上垂下来挂在车顶上了，不知道有没有电，谁都不敢靠近。
repair+gas+emergency | 家里一氧化碳报警器一直在响，人有点头晕。
repair+gas+emergency | 楼道里一股很重的臭鸡蛋味，好像是哪家燃气漏了。
repair+wall_floor_ceiling+emergency | 卧室天花板上的石膏突然掉下来一大块砸在床上，剩下的也裂着随时要掉，还好人没在床上。
repair+wall_floor_ceiling+emergency | 外墙的瓷砖一块一块往下掉，下面就是小区主干道，已经砸坏了一辆车。
repair+wall_floor_ceiling+emergency | 十二楼外墙保温层鼓出来一大片，风一吹就晃，底下是幼儿园门口。
repair+wall_floor_ceiling+emergency | 客厅吊顶往下塌了一块，还在掉渣，我们都不敢进客厅。
repair+wall_floor_ceiling+emergency | 楼顶的装饰构件裂开了 悬在半空 下面每天很多人经过
repair+wall_floor_ceiling+emergency | 单元门口上面的雨棚歪了，一边已经脱开了，随时会砸下来。
repair+door_window+emergency | 二十二楼有扇窗户的玻璃裂了，整块往外鼓，下面是人行道，太危险了。
repair+door_window+emergency | 我家窗框的螺丝全松了，整个窗扇往外歪，楼下是小区的路。
repair+door_window+emergency | 大风把阳台推拉窗的玻璃吹掉了一块，剩下半块挂在那晃。
repair+public_area+emergency | 车库出口的道闸杆刚刚砸到一个骑电动车的，现在杆子还在乱抬乱落。
repair+public_area+emergency | 小孩的手被单元门夹住了拔不出来，快来人！
repair+public_area+emergency | 小区门口的井盖不见了，露着一个黑洞，晚上路过根本看不到。
repair+public_area+emergency | 小区路面突然塌了一个大坑，有一米多深，旁边就是人行道。
repair+public_area+emergency | 儿童乐园的秋千架倒了，压着一个小孩的腿。
repair+public_area+emergency | 地库的卷帘门落下来压到了一个人，门现在还卡在一半。
repair+lift+emergency | 孩子的手被电梯门夹住了，电梯不动了，快来！
repair+lift+emergency | 我在电梯里出不来了 电梯停在十楼和十一楼中间 按铃没人应
repair+lift+emergency | 喂喂 电梯里关着个老太太 门打不开 你们快点
repair+water+emergency | 喂 你好 那个我家厨房的管子断了 水一直往外喷 关水的阀门在哪我找不到 快来
repair+water+emergency | 楼上的水从我家灯里往下流 灯都不敢开 水哗哗的
repair+electrical+emergency | 我家电表箱着火了 已经打了119 物业也赶紧来人
repair+electrical+high | 厨房有一排插座没电了 其他房间都正常
repair+gas+high | 灶台两个火都打不着 没闻到味儿 今天做不了饭了
enquiry+none+normal | 请问我们小区的房产证大概什么时候可以办下来？需要准备哪些材料？
enquiry+none+normal | 想问一下交房时间有没有最新的消息，合同上写的是明年六月。
enquiry+none+normal | 请问小区的车位现在还有在卖的吗？价格大概多少？能不能只租不买？
enquiry+none+normal | 小区对口的是哪个小学？今年的划片出来了吗？
enquiry+none+normal | 我刚买的二手房，物业费怎么过户，要带什么证件过去？
enquiry+none+normal | 请问维修基金交了以后，办房产证的时候还要再交吗？
enquiry+none+normal | 想咨询一下，我们这栋楼什么时候通天然气，开户需要多少钱？
enquiry+none+normal | 装修要办什么手续？押金多少？可以周末施工吗？
enquiry+none+normal | 老师傅你好我想问问那个业主卡在哪里办我年纪大了不会弄手机
enquiry+none+normal | 请问我上周报的那个卫生间漏水的单子现在排到了吗 不着急 问问
enquiry+none+normal | 我家房子保修期是几年 墙面开裂还在保修范围吗
enquiry+none+normal | 请问停车场月卡怎么办理？外来访客车辆怎么收费？
enquiry+none+normal | 新交房的业主，请问燃气、水、电分别到哪里开户？
enquiry+none+normal | 你们物业费的收费标准是按建筑面积还是套内面积算的？
enquiry+none+normal | 请问一下 小区的充电桩可以申请安装吗 需要物业同意吗
enquiry+none+normal | 我想了解一下，业委会是怎么选出来的，业主可以报名吗？
enquiry+none+normal | 延期交房的违约金是开发商主动打过来还是我们要去申请？
enquiry+none+normal | 听说小区要加装电梯，一楼业主需要出钱吗？
enquiry+none+normal | 小区停水通知上说明天几点开始停？大概停多久？
enquiry+none+normal | 问下 网签备案查得到了 那契税什么时候交
other+none+normal | 好的谢谢你们，师傅已经修好了，服务很好。
other+none+normal | 感谢物业的王师傅，大冷天的帮我们修好了暖气，给你们点个赞。
other+none+normal | 发错了 不好意思
other+none+normal | 请问社保卡丢了在哪里补办？
other+none+normal | 我想问一下公交车103路末班车几点
other+none+normal | 转人工
other+none+normal | 嗯嗯 收到
other+none+normal | 不用来了 我自己把水阀关好了 也不漏了
"""

TRAIN_EN = """
repair+public_area+normal | Street light out on the path between block 4 and the parking lot, has been dark for about a week.
repair+public_area+normal | streetlight flickering all night in front of the main gate
repair+public_area+normal | The lamp post by the playground is not working.
repair+public_area+normal | Light on the pole outside building 6 is off.
repair+public_area+normal | Pothole on the estate road near the north entrance, getting bigger every day.
repair+public_area+normal | Several paving stones on the walkway to block 2 are loose and rocking.
repair+public_area+normal | The mailbox door in our lobby is hanging off its hinge.
repair+public_area+normal | The gym treadmill in the clubhouse has stopped working.
repair+public_area+normal | Entrance door closer is broken, the door slams every time.
repair+public_area+normal | Key fob reader at the side gate isn't reading anything.
repair+public_area+normal | The manhole cover in the car park rattles loudly when cars drive over it.
repair+public_area+normal | Drain grate by the bike shed is blocked with leaves, water pools after rain.
repair+public_area+normal | Garage lights on level B1 near spaces 20-30 are out.
repair+public_area+normal | Handrail on the garden steps is rusty and the paint is flaking.
repair+public_area+normal | Speed bump at the garage exit is cracked and a piece came off.
repair+public_area+high | Emergency lights in the stairwell of block 3 are all dead, if the power goes we can't see the stairs.
repair+public_area+high | The car park barrier is stuck open since this morning, anyone can drive in.
repair+public_area+high | Front entrance magnetic lock broken, door is wide open all day.
repair+public_area+high | Railing on the third floor walkway is wobbly, a kid could lean on it.
repair+public_area+emergency | Manhole cover is missing on the main path, there's just an open hole, someone will fall in.
repair+public_area+emergency | A sinkhole opened up on the road by the clubhouse, about a metre deep, right where people walk.
repair+public_area+emergency | The barrier arm at the garage came down on a cyclist and it's still going up and down on its own.
repair+public_area+emergency | My son's fingers are caught in the lobby door hinge, please send someone now.
repair+public_area+emergency | The storm drain cover is gone and the hole is open next to the crosswalk, really dangerous at night.
repair+public_area+emergency | A big tree branch is hanging by a thread over the footpath near the school bus stop.
repair+electrical+emergency | There's a power line down across the estate road and it's sparking.
repair+electrical+emergency | Cables hanging from the pole are resting on a parked car, nobody dares to go near.
repair+electrical+emergency | The whole building has no power since 6am, lifts are out and there are elderly people upstairs.
repair+electrical+emergency | Entire complex is in a blackout right now, no lights in the corridors.
repair+electrical+emergency | Smoke coming out of the meter cabinet on the 5th floor.
repair+electrical+high | No power in the kitchen sockets, rest of the flat is fine.
repair+electrical+high | exposed wires at the base of the lamp post outside block 1, please cover them
repair+gas+emergency | The carbon monoxide alarm in our flat keeps going off and my wife feels dizzy.
repair+gas+emergency | strong rotten egg smell in the stairwell near the 3rd floor
repair+gas+emergency | CO detector beeping, we opened the windows and left the flat.
repair+water+emergency | Water main burst on the estate road, water is gushing across the street.
repair+water+emergency | Sewage is backing up out of the manhole in front of block 5 and running onto the path.
repair+water+emergency | Basement car park is flooding, water up to the tyres and still rising.
repair+water+emergency | Water pouring through the ceiling light in my hallway from upstairs.
repair+water+emergency | The entire building has no water at all since this morning.
repair+wall_floor_ceiling+emergency | A chunk of plaster fell from the bedroom ceiling onto the bed, the rest is cracked and looks like it will come down.
repair+wall_floor_ceiling+emergency | Facade tiles are falling off the side of tower 2 onto the walkway below.
repair+wall_floor_ceiling+emergency | Pieces of concrete are dropping from the balcony above onto the entrance.
repair+door_window+emergency | A window pane on the 22nd floor is cracked and bulging outwards over the walkway.
repair+door_window+emergency | Our window frame came loose in the wind and the glass is hanging off, people walk below.
repair+lift+emergency | My daughter's hand got caught in the lift doors and the lift won't move.
repair+lift+emergency | Two people stuck in the elevator between floors 8 and 9, alarm button does nothing.
repair+water+high | Hot water has been off since yesterday, only cold water coming out.
repair+water+normal | Brown water coming out of the taps this morning, clears after a minute.
repair+water+high | Fire hydrant by the gate is running and has no cap on it.
repair+water+normal | Small leak from the water meter box in the corridor.
repair+waterproofing+normal | Roof leaks into the top floor hallway when it rains, drips onto the landing.
repair+wall_floor_ceiling+normal | Crack in the living room wall, about a metre long, hairline.
repair+fixtures+normal | Bathroom sink tap is loose and wobbles when I turn it.
repair+other+normal | The AC condensate pipe drips on my balcony.
repair+other+high | No heat in the flat since last night, radiators are cold.
repair+lift+normal | Lift makes a grinding noise between the 10th and 12th floor.
repair+door_window+normal | Sliding balcony door is hard to open, the track seems bent.
complaint+none+normal | The neighbours in 7B play loud music every night until 2am, we complained to management three times and nothing happens.
complaint+none+normal | Workers from your repair team left dust all over my flat and didn't clean up, very unprofessional.
complaint+none+normal | This is the third time I report the same leak under the sink. Your technician "fixed" it twice and it's back.
complaint+none+normal | Your contractor was supposed to come Tuesday, then Thursday, nobody ever showed up and nobody called.
complaint+none+normal | The developer advertised a shuttle bus and a clubhouse pool. Two years later neither exists. This is false advertising.
complaint+none+normal | We still don't have our property certificates, four years after handover. Every month it's "next month".
complaint+none+normal | Handover was delayed by 9 months and nobody has offered the late-delivery compensation in our contract.
complaint+none+normal | Management charges us for parking in our own building but lets outside cars park for free.
complaint+none+normal | Being forced to buy a parking space to get the keys to my apartment is outrageous.
complaint+none+normal | The finish in my flat is nothing like the show flat, cheap fittings everywhere. Not what we paid for.
complaint+none+normal | Service fee went up again and there is still no breakdown of where the money goes.
complaint+none+normal | The security guard at gate 2 shouted at my elderly mother. I want an apology.
complaint+none+normal | Every weekend construction noise from 7am in the flat above, management says they can't do anything.
complaint+none+normal | Power goes out in our building almost every week and nobody ever explains why.
complaint+none+normal | Last year the pipes burst in our corridor and the damage to my floor was never compensated.
complaint+none+normal | People were trapped in this lift twice last month. It keeps breaking and you keep doing nothing.
complaint+none+normal | Ticket closed as resolved but the street light is still out. Please don't close tickets that aren't fixed.
complaint+none+normal | I have called your hotline 6 times this week, always on hold, nobody calls back.
complaint+none+normal | The landlord keeps ignoring the mould in the bathroom, I've told them again and again.
complaint+none+normal | Boiler fumes from the plant room blow into our windows every day, we've reported it many times.
complaint+none+normal | honestly the worst management company, garbage not collected for a week and rats in the bin room
complaint+none+normal | im so done with this. 4th time asking someone to fix the intercom. nobody cares
complaint+none+normal | The car park is always full of cars that don't belong to residents. Management takes their money.
complaint+none+high | No heat for the third day in a row, we have a newborn, this has happened every winter.
complaint+none+high | Lift has been out for two weeks, my father can't leave the 18th floor. Today you must fix it.
complaint+none+high | Still no hot water after four days and two visits from your people.
enquiry+none+normal | When will the property ownership certificates be ready for phase 2?
enquiry+none+normal | Hi, is there any update on the handover date? Our contract says June.
enquiry+none+normal | Are there still parking spaces for sale, and can I rent one instead?
enquiry+none+normal | Which primary school is our estate zoned for?
enquiry+none+normal | How do I register for gas and electricity as a new owner?
enquiry+none+normal | Could you tell me whether cracks in the plaster are covered by the warranty?
enquiry+none+normal | Hello, I am new owner from Germany, where do I pay the management fee and can I pay by card?
enquiry+none+normal | Is there a planned water shutdown this week? I saw a notice but it was only in Chinese.
enquiry+none+normal | Just checking on my repair request from last Monday, no rush.
enquiry+none+normal | Do I need permission from management to install an EV charger in my parking space?
other+none+normal | Thanks, the technician came and fixed it, great job.
other+none+normal | This is only a test message, please ignore.
other+none+normal | Sorry wrong chat
other+none+normal | ok
other+none+normal | Where can I renew my driving licence?
other+none+normal | no need to come, I turned the valve off and it stopped
"""

# Second half of the batch: formal first reports (a fault told at length is still a repair when it is the first
# report), neutral questions about delays and purchases, off-topic messages that are not for a property centre,
# thanks letters, and more complaints whose fault is only the background.
TRAIN_ZH_2 = """
repair+public_area+normal | 您好，我是翠湖苑二期的业主，想反映一下小区北门外那段路的路灯从上周开始就不亮了，晚上下班回来一片漆黑，麻烦物业安排电工检查一下，谢谢。
repair+public_area+normal | 物业你好，九栋和十栋之间的步道上有一个井盖边缘破了一角，目前还能走人，但是怕时间长了越来越大，麻烦找人换一下。
repair+public_area+normal | 报修：小区游泳池旁边的淋浴龙头坏了，一直关不紧。
repair+public_area+normal | 小区中庭的景观灯有一半不亮了，晚上散步的人多，麻烦修一下。
repair+public_area+normal | 楼下的消防通道指示牌掉了一块，挂在那里歪歪的。
repair+public_area+normal | 车库入口的坡道防滑条翘起来了，下雨天电动车容易滑。
repair+public_area+normal | 小区西门岗亭边的护栏被车撞弯了，现在还立着，麻烦有空来修。
repair+public_area+normal | 三号楼前面的路面下沉了一点，下雨积水，麻烦看看要不要修补。
repair+public_area+normal | 儿童乐园的跷跷板有一边的扶手掉了。
repair+public_area+normal | 我们单元一楼大堂的门铃对讲机按了没声音。
repair+public_area+normal | 地库电梯厅的感应门不会自动开了，要用手推。
repair+public_area+normal | 小区围墙上的灯带一段不亮了。
repair+public_area+high | 二期大门的门禁系统全坏了，现在门常开，保安也不在，今天请尽快处理。
repair+water+normal | 业主报修：本人住十五栋一单元，这几天自来水一开刚开始是浑的，放一会才清，麻烦物业联系水务检查一下水箱。
repair+water+high | 家里的水压从前天开始特别低，楼上楼下都一样，洗衣机都进不了水，麻烦今天派人查一下。
repair+electrical+normal | 我家楼道那盏灯的开关面板碎了，按下去没反应。
repair+electrical+high | 今天早上起来发现家里一半的插座没电了，空开推不上去，冰箱在那一路上，麻烦尽快来人。
repair+wall_floor_ceiling+normal | 尊敬的物业：我家客厅和主卧的墙面近期出现了几条细小裂缝，长约三四十公分，目前不影响居住，请安排维修人员上门查看是否属于保修范围。
repair+wall_floor_ceiling+normal | 次卧的木地板有几块翘起来了，走上去咯吱响。
repair+waterproofing+normal | 阳台靠外墙的那面墙，下雨后会有一条水印，从上往下的，天晴了就干了。
repair+fixtures+normal | 厨房的油烟机吸力变小了，声音还很大。
repair+door_window+normal | 入户门的猫眼掉了，外面能看到里面。
repair+door_window+high | 台风要来了，我家阳台的窗户有一扇关不严，今天能来调一下吗。
repair+lift+normal | 五栋二单元的电梯门关得很慢，有时候要关好几次才关上。
repair+lift+high | 八栋的电梯今天早上开始不动了，里面没有人，但是我们楼住了好多老人。
repair+other+normal | 地暖有一个房间不热，其他房间都正常。
repair+water+emergency | 快来人 地下车库的消防水管喷了 水柱有一人高
repair+water+emergency | 我家楼上没人在家 水从他们家门缝里往外流 都流到电梯里了
repair+electrical+emergency | 楼道里的电箱啪啪响，有火星往外冒，整层都是焦味。
repair+electrical+emergency | 暴雨把小区的变压器淹了，现在整个小区都没电，还在打火。
repair+gas+emergency | 邻居家好像燃气泄漏了，整个楼道都是煤气味，敲门没人应。
repair+wall_floor_ceiling+emergency | 楼顶女儿墙有一大块水泥松动了，下面就是单元出入口，风一吹掉渣。
repair+door_window+emergency | 十八楼有户人家的窗户整扇掉下来了，砸在楼下草坪上，旁边还有一扇也在晃。
repair+public_area+emergency | 电动伸缩门夹到一个老人，门还在往里走，快来关电源。
repair+public_area+emergency | 小区里的一棵大树被风刮倒了压在路上，树枝还搭着电线。
repair+lift+emergency | 电梯突然往下掉了好几层才停，里面还有三个人，出不来。
complaint+none+normal | 我们小区路灯坏了快半年了，跟物业说了无数次，每次都说报上去了，到现在一盏都没修。
complaint+none+normal | 小区电梯经常出故障，不是关人就是突然停，物业一直说在跟维保公司协调，业主天天提心吊胆。
complaint+none+normal | 交房后才发现小区的消防通道被开发商改成了商铺，出了事消防车都进不来，请有关部门查处。
complaint+none+normal | 自从换了这家物业，小区卫生越来越差，绿化没人修剪，保安也经常不在岗，物业费却一分没少收。
complaint+none+normal | 我们几户业主的房子墙面裂缝越来越多，开发商找人来刷了一层腻子就算修好了，这不是糊弄人吗？
complaint+none+normal | 小区二次供水的水箱常年不清洗，水里有沉淀物，物业收了二次供水费却不干活。
complaint+none+normal | 物业未经业主同意把楼顶出租给通讯公司装基站，收益归谁了？请公开。
complaint+none+normal | 开发商承诺的地下车库人防车位只租不售，现在却高价出售，还不给办产权。
complaint+none+normal | 小区的路面坑坑洼洼好几年了，多次向物业和社区反映，都说没有经费，业主出行很不方便。
complaint+none+normal | 物业在小区里乱贴小广告、乱摆摊收摊位费，把小区变成了菜市场。
complaint+none+normal | 楼下商铺开了个KTV，每天晚上闹到两三点，反映给物业和派出所都没用。
complaint+none+normal | 新交的房子地下室一下雨就积水，开发商说是设计问题，拒绝整改，业主的东西全泡坏了。
complaint+none+normal | 房屋买卖合同上写的是天然气入户，交房了却只通了电，开发商说要再交钱才给开通。
complaint+none+normal | 我2019年买的房，合同上写的去年交房，现在楼还没封顶，开发商电话都打不通了。
complaint+none+normal | 开发商交房时不给钥匙，必须先交一年物业费和装修押金，这合理吗？
complaint+none+normal | 请问开发商把小区规划的幼儿园改成了售楼部，有没有人管？我们业主强烈要求恢复。
complaint+none+normal | 物业擅自提高停车费，从每月一百涨到两百，没有开业主大会也没有公示。
complaint+none+high | 我们这栋楼已经连续四天晚上停水了，白天来一点点，物业说是泵坏了，到现在也没修好，家里做饭洗澡都成问题。
complaint+none+high | 一个礼拜了，我家卫生间漏水到楼下，物业说要等楼上业主回来才能处理，楼下天天在滴，到底谁来管？
enquiry+none+normal | 请问我们小区什么时候能通燃气？听说管道已经铺好了。
enquiry+none+normal | 你好，我想问一下小区的地下车位现在是只卖不租吗？价格是多少？
enquiry+none+normal | 请问交房以后多久可以办房产证？契税和维修基金是一起交吗？
enquiry+none+normal | 想咨询一下我们小区对应的中学是哪一所，今年有没有变化？
enquiry+none+normal | 请问延期交房的话，违约金是怎么计算的？合同上写的是按日万分之一。
enquiry+none+normal | 小区的业委会什么时候换届？业主可以自荐吗？
enquiry+none+normal | 请问小区里的充电桩是物业统一装还是自己找人装？
enquiry+none+normal | 您好，我家的房子是去年交的，墙面出现了一些裂缝，想问问是不是还在保修期内，需要怎么申请？
enquiry+none+normal | 请问公维基金可以用来修电梯吗？需要多少业主同意？
enquiry+none+normal | 我是新业主，请问小区的垃圾分类投放时间是几点？
enquiry+none+normal | 请问下周的停电检修是几点到几点？电梯会停吗？
enquiry+none+normal | 你们的报修电话是多少？晚上有人值班吗？
other+none+normal | 请问一下，独生子女证丢了在哪里补办？
other+none+normal | 我想反映一下103路公交车司机开车太猛了，坐车的老人差点摔倒。
other+none+normal | 请问农商银行的卡怎么挂失？
other+none+normal | 市民中心周末上班吗？我要办居住证。
other+none+normal | 请问医保报销需要哪些材料？
other+none+normal | 我们村的土地流转款什么时候发？
other+none+normal | 你好，我的快递显示签收了但是我没收到，是哪家快递员送的？
other+none+normal | 请问养老金资格认证在手机上怎么操作？
other+none+normal | 非常感谢物业的李经理和维修班的师傅们，前几天我家水管的问题处理得又快又好，特此表扬。
other+none+normal | 谢谢你们这么晚了还过来，辛苦了！
other+none+normal | 给保安小张点个赞，帮我把走丢的孩子送回家了。
other+none+normal | 好的 明白了 谢谢
other+none+normal | 在吗
other+none+normal | 测试一下
other+none+normal | 我找王经理
other+none+normal | 不好意思发错群了
"""

TRAIN_EN_2 = """
repair+public_area+normal | Hello, the lights along the river path behind our estate have been off for about ten days. Could someone check them?
repair+public_area+normal | Park bench near the fountain is broken, one slat is missing.
repair+public_area+normal | The gate intercom at the visitors entrance doesn't ring through to the flats.
repair+public_area+normal | Bollard light at the car park entrance is smashed.
repair+public_area+normal | The pavement outside block 8 has a raised slab that people trip on.
repair+public_area+normal | Pedestrian gate by the bus stop doesn't close by itself anymore.
repair+public_area+high | The stair lighting in block 2 is out on every floor, it's pitch black in the evening.
repair+water+normal | Low water pressure in the whole flat since the weekend, please check.
repair+water+high | Kitchen drain completely blocked, water standing in the sink since this morning.
repair+electrical+normal | One of the bathroom light switches is loose in the wall.
repair+wall_floor_ceiling+normal | Some floor tiles in the hallway sound hollow when you walk on them.
repair+door_window+normal | The balcony door handle came off in my hand.
repair+lift+normal | The lift display shows the wrong floor numbers.
repair+electrical+emergency | Wires are dangling from the street lamp by the school gate, one is touching the railing.
repair+water+emergency | Water is coming in under the front door from the corridor and it's still rising.
repair+public_area+emergency | The automatic gate closed on a child's bike and the child is stuck, please come now.
repair+wall_floor_ceiling+emergency | Bits of the ceiling in the lobby keep falling, a big piece just missed a resident.
complaint+none+normal | I reported the broken street light three weeks ago and got a message saying it was fixed. It is still dark.
complaint+none+normal | The manhole near my building has been covered with a piece of plywood for two months. Nobody comes to fix it properly.
complaint+none+normal | Dear Management, I wish to formally complain about the repeated water outages this month, none of which were announced.
complaint+none+normal | The new owners association fee is far too high and nobody explained how it was calculated.
complaint+none+normal | Contractors doing the facade work leave rubbish everywhere and start drilling at 7am on Sundays.
complaint+none+normal | Our flat was handed over with a completely different kitchen from the brochure.
complaint+none+normal | The dog next door barks all day and the owner ignores our notes. Management says it's not their problem.
complaint+none+high | It's the fifth day without hot water in our building and your office keeps saying "soon".
enquiry+none+normal | Hi, what are the office hours of the management office on weekends?
enquiry+none+normal | When does the warranty on the windows end? We got the keys in March last year.
enquiry+none+normal | Can I book the clubhouse for a birthday party and how much does it cost?
enquiry+none+normal | Is the handover of phase 3 still planned for this summer?
other+none+normal | Can you tell me which bus goes to the airport?
other+none+normal | How do I apply for a residence permit?
other+none+normal | Thank you so much to the maintenance team, you were quick and friendly.
other+none+normal | test
other+none+normal | hello?
other+none+normal | sorry, that message was meant for my wife
"""

# Third part: complaints whose fault is only the background (inaction, recurrence, months without a fix), plain
# questions about delays and purchases with no anger, hazards to passers-by in long formal letters.
TRAIN_ZH_3 = """
complaint+none+normal | 我们楼的下水道长期堵塞，污水漫到楼道里，向物业反映了不下十次，物业只是派人掏一掏，过几天又堵，根本没有从源头解决。
complaint+none+normal | 小区路灯坏了大半年，物业说没钱修，社区说归物业管，业主晚上只能打着手电走路，到底有没有人管？
complaint+none+normal | 本小区的电梯自交付以来故障不断，今年已停运十余次，维保单位敷衍了事，恳请质监部门介入检查。
complaint+none+normal | 楼顶防水层做得很差，顶楼几户每逢下雨必漏，开发商维修了几次都是表面功夫，现在干脆不接电话了。
complaint+none+normal | 小区内道路破损严重，坑洼不平，雨天积水，老人小孩经常摔跤，物业以没有维修资金为由一拖再拖。
complaint+none+normal | 我家楼下的化粪池每年夏天都往外冒，臭味熏天，跟物业说了好几年，就是不彻底整改。
complaint+none+normal | 地下车库的排水泵坏了很久，一下雨车库就积水，物业一直说在等审批，业主的车已经泡过两次了。
complaint+none+normal | 小区供水水压长期不足，高层住户白天基本没水，晚上十二点以后才有，反映多次无果。
complaint+none+normal | 开发商在交房时承诺一年内完成小区绿化和路灯安装，现在三年过去了，小区还是黄土一片。
complaint+none+normal | 物业长期不作为：垃圾乱堆、绿化荒废、门禁损坏、监控失灵，业主多次开会要求整改，物业置若罔闻。
complaint+none+normal | 楼道墙面的裂缝从交房时就有，我们报了无数次，开发商每次派人刷一遍漆就走，裂缝越来越宽。
complaint+none+normal | 这个月停了三次电，每次都是晚上，供电公司说是小区变压器容量不够，开发商当初为什么装这么小的？
complaint+none+normal | 买的时候说是地暖，交房才知道要业主自己另外花钱装，售楼人员当初的承诺全部不认账。
complaint+none+normal | 物业违规把消防通道划成停车位收费，一旦着火后果不堪设想，请消防部门查处。
complaint+none+normal | 我要投诉小区门口的商户长期占道经营，油烟噪音扰民，城管来了一次就再也不管了。
complaint+none+normal | 业主委员会成立两年，从未公开过任何账目，我们怀疑与物业存在利益输送。
complaint+none+normal | 退休老人，家住七楼没电梯，开发商当初承诺加装，收了钱到现在连个影都没有。
complaint+none+normal | 你们这个小区门禁形同虚设，外卖快递随便进，上周我家隔壁还被偷了，物业说不归他们管。
complaint+none+normal | 房子漏水的问题从去年拖到今年，墙都泡烂了，开发商和物业互相推诿，业主投诉无门。
complaint+none+normal | 小区里的健身器材锈得不成样子，有的螺丝都松了，小孩玩的时候差点出事，物业说没有预算。
complaint+none+normal | 热力公司每年供暖都不达标，室内温度不到十六度，打电话投诉只会说在调试。
complaint+none+normal | 开发商把地下室卖给别人当仓库，天天有货车进出小区，噪音大还不安全。
complaint+none+normal | 我们小区旁边的工地晚上十一点还在打桩，反映过环保局和住建局，一点用都没有。
complaint+none+normal | 交房时入户门是坏的，开发商说换，等了四个月还没换，我们只能自己买锁先凑合。
complaint+none+high | 我们单元的电梯已经坏了二十多天，一直说等配件，我家有个坐轮椅的老人，已经一个月没下过楼了，请今天给个明确说法。
complaint+none+high | 整栋楼断水第二天了，物业只在群里发了一句抢修中，没有任何送水安排，老人孩子怎么过？
enquiry+none+normal | 您好，请问我们小区的不动产权证是统一办理还是业主自己去办？大概什么时候可以领？
enquiry+none+normal | 想了解一下小区地下车位的产权情况，是可以买断的还是只有使用权？
enquiry+none+normal | 请问小区配套的幼儿园什么时候开园？是公办还是民办？
enquiry+none+normal | 请问开发商说的延期交房通知是真的吗？新的交房时间是几月份？
enquiry+none+normal | 您好，我们家户口想迁到新房，需要房产证吗？还是有购房合同就可以？
enquiry+none+normal | 请问小区的燃气初装费是多少？可以分期吗？
enquiry+none+normal | 请问小区周边规划的公交站什么时候建？
enquiry+none+normal | 老房子想加装电梯，请问需要哪些手续，政府有没有补贴？
enquiry+none+normal | 请问物业费是按年交还是可以按季度交？有没有优惠？
enquiry+none+normal | 你好 请问一下 我们这个楼盘有没有通过竣工验收
enquiry+none+normal | 请问房屋维修基金怎么查询余额？
enquiry+none+normal | 想问下小区可以养大型犬吗 有什么规定
repair+public_area+normal | 尊敬的物业，小区三号门外侧人行道上的一块路面砖松动翘起，行人容易绊倒，请派人修补。
repair+public_area+normal | 您好，小区中心广场的几盏路灯从前天开始不亮，请安排检修。
repair+public_area+normal | 我们单元门口的下水道篦子被压坏了，凹下去一块。
repair+public_area+normal | 反映一下，小区南侧围墙上的铁栏杆断了两根，有缝可以钻人。
repair+public_area+high | 小区主路上的一盏路灯灯杆被车撞歪了，斜着立在路边，请今天来看一下。
repair+water+normal | 楼道里的消防水管接头在滴水，地上湿了一小片。
repair+water+high | 我们这一户今天上午开始没热水了，燃气热水器点不着，其他都正常。
repair+public_area+emergency | 小区幼儿园门口的排水沟盖板被人拿走了，沟有半米深，小孩一脚就踩进去了。
repair+public_area+emergency | 刮台风把小区门口的广告牌吹得摇摇晃晃，一边的螺丝已经掉了，底下是公交站。
repair+wall_floor_ceiling+emergency | 您好，我楼上邻居家阳台外面的水泥块一直往下掉，刚刚掉了一块拳头大的砸在我家雨棚上，楼下是小区的过道。
repair+wall_floor_ceiling+emergency | 老楼的楼梯间天花板大面积起鼓开裂，今天掉下来一块，差点砸到上楼的老人。
repair+electrical+emergency | 小区从昨天晚上九点开始全部停电，到现在还没来电，几千户人家没电，电梯停运。
repair+electrical+emergency | 楼下的电缆井在冒烟，井盖缝里往外冒白烟，有股塑料烧焦的味道。
repair+water+emergency | 下暴雨小区地势低洼的那几栋一楼全进水了，水还在往上涨，有老人困在家里出不来。
repair+water+emergency | 路边的主水管爆了，水柱冲起两米多高，小区门口已经成河了。
repair+gas+emergency | 厨房燃气表那里嘶嘶响，闻着有股怪味，我把阀门关了，还是有味道。
"""

TRAIN_EN_3 = """
complaint+none+normal | The sewer in front of our building backs up every time it rains and the city and management blame each other.
complaint+none+normal | Our estate road has had potholes for a year. We reported them many times, still nothing.
complaint+none+normal | The elevator in tower B broke down 9 times this year. The maintenance company just resets it.
complaint+none+normal | Street lights on our block have been out for months despite several complaints.
complaint+none+normal | There's a leak in the garage ceiling that management has ignored since spring. My car is stained.
complaint+none+normal | Tenant upstairs keeps running the washing machine at 3am. Management won't do anything.
complaint+none+normal | We were told the amenities would be finished by handover. Still a construction site a year later.
complaint+none+high | Our whole building has had no water since yesterday and all management did was post a notice. Old people here need water today.
enquiry+none+normal | Could you tell me when the parking spaces in the basement go on sale?
enquiry+none+normal | What documents do I need to collect my property certificate?
enquiry+none+normal | Is the new school next to the estate open for registration this year?
enquiry+none+normal | Hi, I'm renting in block 9. Who do I contact for repairs, the landlord or you?
repair+public_area+normal | Light pole at the corner of the estate road is dark.
repair+public_area+normal | Catch basin by the playground is clogged with leaves.
repair+public_area+normal | Sidewalk slab raised by tree roots near block 3, tripping hazard.
repair+public_area+high | Fire exit door on the ground floor won't latch, it swings open.
repair+public_area+emergency | The metal grate over the drain is missing at the crosswalk, the hole is about knee deep.
repair+public_area+emergency | Large sign on the clubhouse roof is coming loose in the wind over the entrance.
repair+electrical+emergency | Live cable hanging from the lamp post down to the ground near the bus stop.
repair+water+emergency | Water gushing up from the road at the estate entrance, looks like the main broke.
repair+wall_floor_ceiling+emergency | Chunks of render are falling off the building front onto the pavement where people walk.
repair+gas+emergency | Smell of gas near the meters in the basement, really strong.
other+none+normal | What time does the post office close today?
other+none+normal | Please disregard my last message.
"""

# Sixth batch (issue 12, continued): the distinctions the engine still blurred on real text. Neutral questions
# about rules, fees and rights (enquiry) versus angry demands (complaint); recurring supply problems, neighbours'
# unauthorised building work and shop fumes or noise (complaint, nothing to repair); long-standing common-area
# faults reported for the first time (repair, even when they have lasted months); ongoing outages and leaks
# happening now; structures leaning or coming away over people.
TRAIN_ZH_4 = """
enquiry+none+normal | 请问小区业委会换届需要多少比例的业主同意？流程是怎样的，要去哪个部门备案？
enquiry+none+normal | 想咨询一下，物业在小区里收取装修垃圾清运费，这个是有政策依据的吗？标准是多少？
enquiry+none+normal | 请问人防车位可以买卖吗？开发商说只能签二十年的使用协议，这样的协议受法律保护吗？
enquiry+none+normal | 咨询：商品房交付时开发商要求先交一年物业费才给钥匙，这种做法符合规定吗
enquiry+none+normal | 请问维修基金怎么申请使用？楼顶防水要整体翻新，是不是要三分之二业主签字？
enquiry+none+normal | 想了解一下，学区划分是按房产证地址还是户口地址？我们小区明年归哪个小学？
enquiry+none+normal | 您好，安置房满几年可以上市交易？需要补交土地出让金吗？
enquiry+none+normal | 书记您好，我们这片棚改的补偿方案什么时候公布？听说有货币补偿和产权置换两种，具体怎么选？
enquiry+none+normal | 请问一下电动车可以在楼道里充电吗，有没有明文规定，物业有没有权力没收充电器？
enquiry+none+normal | 房子是十年前买的二手房，当时没办不动产证，现在补办需要准备哪些材料
enquiry+none+normal | 物业合同到期了，业主大会能不能自己选新物业？原物业不肯撤场怎么办
enquiry+none+normal | 您好 想问下公租房的租金标准是怎么定的 每年会调整吗
enquiry+none+normal | 请问开发商承诺的配套学校什么时候开工，有没有具体的时间表？
enquiry+none+normal | 小区里的公共收益（广告位、场地出租）应该怎么公示？业主可以查账吗？
enquiry+none+normal | 尊敬的领导，请问我们这个安置小区的房屋产权证办理进度到哪一步了？大概还要多久？
complaint+none+normal | 我们小区这半年来隔三岔五停水，每次停一整天，问物业就说是水厂的事，问水厂又说是小区管网的事，到底谁负责？
complaint+none+normal | 一楼的业主把自家院子扩出去两米砌了围墙，占了公共绿地，物业只贴了张通知就不管了。
complaint+none+normal | 隔壁单元有人把住宅改成小旅馆，天天陌生人进进出出，门禁形同虚设，我们住得提心吊胆。
complaint+none+normal | 小区旁边的工地每天夜里施工到两三点，渣土车轰隆隆的，老人孩子根本睡不着，投诉了也没用。
complaint+none+normal | 交房才一年，家里多处墙面开裂、地面起砂，开发商派人来刷了层漆就算整改了，这种质量谁能接受？
complaint+none+normal | 地下车库一下雨就积水，物业年年说要改造排水，年年不见动静，业主的车泡坏了也不赔。
complaint+none+normal | 开发商卖房时说的是人车分流，结果交房后车子满小区乱开，孩子在小区里玩都不安全。
complaint+none+normal | 说好的燃气管道入户，交房半年了还是没通气，我们天天用电磁炉，开发商一直拖。
complaint+none+normal | 小区门口的菜市场占道经营，早上六点就开始吆喝，垃圾遍地，跟街道反映多次无果。
complaint+none+high | 从上周到现在小区断断续续停水，每天只来两个小时的水，洗澡做饭都成问题，物业一句解释都没有，太过分了！
complaint+none+high | 停水第四天了，没有任何人出来说明原因，我们打了十几个电话，没有一个部门管，家里老人连口热水都喝不上。
complaint+none+high | 单元电梯已经停了快一个月，维修公司说等配件，我们九楼的老人天天被困在家里下不了楼。
repair+public_area+normal | 我们小区北门到公交站那一段的路灯坏了有两三个月了，晚上黑乎乎的，希望相关部门派人修一下。
repair+public_area+normal | 领导好，新华路和建设路交叉口往东一百米左右的几盏路灯一直不亮，请安排维修，谢谢！
repair+public_area+normal | 小区中心花园的健身器材有一个转盘松脱了，老人在上面锻炼容易摔，麻烦尽快更换。
repair+public_area+normal | 我们楼栋门口的台阶塌了一块，已经有一阵子了，老人上下不方便，希望能修补一下。
repair+public_area+normal | 小区内主干道有好几处坑洼，下雨就积水，电动车经过容易打滑，请物业安排修补路面。
repair+public_area+normal | 地下车库B区的照明灯一排都不亮，停车找车很困难，麻烦派人检修。
repair+public_area+normal | 6栋旁边的雨水井盖板边缘破损了一角，暂时还能踩，但是最好换一个新的。
repair+public_area+high | 小区东侧人行道上的井盖裂成两半了，晚上看不清，有小孩在那边玩，希望今天就处理。
repair+public_area+normal | 我们这条巷子的下水道长期堵塞，一到下雨污水就漫到路面上，希望有关部门来疏通。
repair+water+high | 我们这栋楼六楼以上水压严重不足，白天基本没水，热水器打不着，希望尽快派人检查加压泵。
repair+water+normal | 家里的水龙头放出来的水发黄，放一会儿才清，是不是管道该冲洗了？麻烦来看看。
repair+public_area+emergency | 小区西边的挡土墙裂了一道大口子，这两天明显往外鼓，下面就是孩子上学走的路，请马上派人来看！
repair+public_area+emergency | 路边那根电线杆已经歪得很厉害了，往人行道这边倒，旁边就是公交站，随时可能倒下来。
repair+wall_floor_ceiling+emergency | 5栋外墙的瓷砖这几天一直在往下掉，今天早上又掉了几块在单元门口，请赶紧拉警戒线处理。
repair+wall_floor_ceiling+emergency | 老楼顶上的女儿墙已经松了，砖头一块块往下掉，楼下是菜市场，人来人往，求马上处理。
repair+wall_floor_ceiling+emergency | 楼道墙体出现了一条很长的斜裂缝，今天发现裂缝变宽了还在掉渣，我们整栋楼的人都不敢住了。
repair+water+emergency | 楼上卫生间的水从凌晨开始顺着灯座往下流，到现在还在流，床和地板都泡了，楼上家里没人，快来人关总阀！
repair+water+emergency | 我们整栋楼从前天到现在一直没有水，一百多户人家没水用，物业说不清楚原因，请马上派人抢修。
repair+electrical+emergency | 我们这个小区从昨晚九点开始全部停电，到现在还没来电，楼里的水泵也停了，几百户人家没电没水，请尽快抢修。
repair+electrical+emergency | 小区变压器那边昨晚冒烟后全小区就没电了，到现在还没恢复，请供电部门赶紧来抢修。
repair+wall_floor_ceiling+normal | 客厅墙面有一块墙皮起泡脱落了，面积不大，方便的时候来修补一下。
enquiry+none+normal | 尊敬的领导：您好！我是城南新村的住户，我们这批房子是单位集资建的，当年交了全款，一直没有分户产权。想请问现在有没有政策可以补办，需要单位出具哪些证明？
enquiry+none+normal | 各位领导好，我们小区正在评选新的物业公司，想了解一下招标必须由业委会组织吗？街道社区在其中起什么作用？盼复。
enquiry+none+normal | 您好，本人去年购买了一套期房，合同写明今年底交付，最近看工地进度有点担心，请问住建部门有没有公开的项目进度可以查询？
enquiry+none+normal | 尊敬的局长：小区里不少业主在阳台装了光伏板，物业说要报批。请问这种情况需要向哪个部门申请，有没有统一的标准？
enquiry+none+normal | 请问小区会所的产权归属怎么认定？购房合同里没写，开发商现在要把会所出租，业主有没有发言权？
enquiry+none+normal | 领导您好，老旧小区改造一般包括哪些内容？外墙保温和管网更换是否在改造范围内？我们小区怎么申报？
enquiry+none+normal | 想问一下，物业费欠缴多久物业可以起诉？能不能停水停电催缴？这方面有没有相关法规。
enquiry+none+normal | 尊敬的领导，我们是拆迁安置户，安置协议上写的是过渡期两年，现在已经到期了，想问问过渡费后续怎么发放，标准是否会调整？
enquiry+none+normal | 麻烦问一下，二手房过户后维修基金能不能一起转给新业主，需要去哪里办理变更？
enquiry+none+normal | 您好！请问业主自己在小区公共区域安装充电桩需要谁同意？物业要求交施工押金合理吗？
other+none+normal | 请问驾驶证到期换证在哪里办，要不要体检？
other+none+normal | 你好 我家孩子的医保卡今年怎么续费 在哪个窗口交
other+none+normal | 明天天气怎么样 要不要带伞
other+none+normal | 领导您好，我们村的土地流转补贴今年还没发，请问什么时候发放？
other+none+normal | 我的快递被放错了驿站，快递员不接电话，你们能帮我查一下吗
complaint+none+normal | 楼下新开了一家健身房，每天晚上放音乐、摔杠铃，震得我们楼上地板都在响，找了物业两次，物业说人家手续齐全管不了。
complaint+none+normal | 最近两个月我们片区停电特别频繁，短则半小时长则大半天，从来没有提前通知，家里的电器已经烧坏两台了，供电公司到底什么时候改造线路？
"""

TRAIN_EN_4 = """
repair+public_area+normal | the street light outside our building has been out for weeks, please fix it
repair+public_area+normal | Lamp post on the corner by the bus stop is dark at night. Bulb probably needs replacing.
repair+public_area+normal | two of the light poles along the path to the car park are not working
repair+public_area+normal | stairwell lights on floors 3 to 5 are out, it's pitch black going up at night
repair+public_area+high | big pothole opening up in the road by the school gate, getting deeper every day, cars swerve round it
repair+public_area+normal | the bench in the playground has a broken slat, please replace
repair+public_area+normal | mailbox door for unit 12 is hanging off its hinge
repair+public_area+emergency | storm drain grate is missing at the crosswalk, there is a deep open hole right where people walk
repair+public_area+emergency | the garden wall next to the footpath is leaning out badly and cracking, it looks like it could collapse any minute
repair+water+emergency | sewage coming up out of the drain in the basement laundry room right now
complaint+none+normal | neighbour's dog barks all day while they are at work, management does nothing about it
complaint+none+normal | the restaurant downstairs vents its kitchen fumes straight into our windows, it has been like this for months
complaint+none+normal | construction next door starts at 6am on weekends, way outside permitted hours
complaint+none+normal | my ticket was marked as resolved but nobody ever came and the hallway ceiling is still dripping. Why was it closed?
enquiry+none+normal | who has to clear the snow on the pavement in front of our block, the council or the management company?
enquiry+none+normal | is there a rule on how late neighbours can run a washing machine?
enquiry+none+normal | can residents apply for a second parking permit, and how much does it cost?
complaint+none+normal | the guy next door practises his drum kit every evening until midnight, the building manager says he can't do anything
repair+public_area+normal | several paving stones outside the community centre are loose and rocking, please reset them before someone turns an ankle
repair+public_area+normal | the lamp at the top of the footpath by block D is broken, the path is completely dark
other+none+normal | hello, is this the number for the dentist? I want to move my appointment
other+none+normal | please ignore my last message, it was meant for my sister
"""
