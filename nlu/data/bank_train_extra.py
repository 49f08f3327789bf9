"""Fourth training batch (hand-written, TRAINING only): the weak decision boundaries.

Written for the boundaries the earlier batches covered thinly, following docs/labels.md:

* enquiry vs other: acknowledgements, thanks, small talk, asking for a person, cancellations, spam versus real
  questions (loans, contracts, fees, progress, certificates, polite status checks, negated faults);
* complaint vs repair: a first report is a repair even when the owner is annoyed; failed/repeat repairs,
  no-shows, attitude, delays, compensation, outages without notice are complaints;
* repair category boundaries (water vs waterproofing vs fixtures, public area vs electrical vs door/window,
  HVAC under ``other``).

Never derived from the test or adversarial splits. generate.py expands these with a separate random stream
appended after the earlier batches, so the earlier training and test files stay byte-identical.
"""

REPAIR_ZH = {
    "water/emergency": """
主水管那里破了个口子 水止不住往外喷
洗手间地上的水已经漫到走廊了 还在涨
水表后面的管子脱开了 满地都是水 关不掉
楼顶水箱溢水 顺着楼梯往下流
卫生间地漏和马桶一起往上冒黑水 臭得不行
整个单元一早上都没水 老人孩子都在家
家里的水管突然炸了 跟喷泉一样
""",
    "water/high": """
热水一点都没有了 孩子等着洗澡
厨房水池的水下不去 碗都没法洗
家里只有一个马桶 现在冲不下去了
洗衣机后面的管子在漏 我拿盆接着 一会儿就满
燃气热水器出来的都是凉水
""",
    "water/normal": """
洗脸盆下水有点慢 不急
厨房的下水管有点异味
淋浴下水有时候会积一点水
阳台洗衣机的排水管接口有点松
水压比以前小了一点
""",
    "waterproofing/high": """
下雨 外墙那边的水顺着插座那面墙往下流 拿毛巾堵着
楼下阿姨说我家卫生间的水渗到她家了 一直在滴
屋顶在漏雨 地上放了三个盆
""",
    "waterproofing/normal": """
楼下邻居说卫生间顶上有水印 应该是我家渗下去的
卧室外墙那面墙一下雨就潮
飘窗台下面的墙皮鼓起来了 感觉是渗水
卫生间隔壁的衣柜背板发霉了
顶楼的天花板有一圈水渍
""",
    "electrical/emergency": """
插头拔下来的时候冒了一串火星
开关面板烫手 还有烧焦的味道和烟
浴霸那里冒烟了 吓得赶紧拉了闸
碰了一下水龙头被电了 是不是漏电
家里突然全部没电了 楼道有电
""",
    "electrical/high": """
厨房的插座全没电了 冰箱也停了
卫生间那一路一开就跳闸
卧室那边的灯和插座都不通电
空开一推上去就跳下来 只有空调那一路
""",
    "electrical/normal": """
餐厅的筒灯有一个不亮
床头的开关按了没反应
插座面板有点松动
书房的灯有时候会闪
网线面板没信号 不知道是不是线的问题
""",
    "gas/emergency": """
楼道里那股煤气味越来越重
厨房闻着有燃气的味道 关了总阀还是有
燃气报警器滴滴叫 厨房有味
""",
    "gas/high": """
灶台的火打不着 没有什么味道
燃气灶左边右边都打不着火
""",
    "gas/normal": """
燃气表的读数看不清
燃气管外面的保护套松了
""",
    "lift/emergency": """
电梯卡在十二楼和十三楼之间 里面有个老人
小孩一个人被关在电梯里了 快来
""",
    "lift/high": """
我们这栋唯一的电梯停了 没人在里面
电梯一直停在一楼不动 按了没反应
""",
    "lift/normal": """
电梯按钮有一个不亮
电梯运行的时候有点晃 有异响
电梯里的显示屏坏了
""",
    "door_window/emergency": """
晚上回来发现入户门锁坏了 门关不上 不敢睡
半夜阳台推拉门脱轨了 关不上 外面是大风
""",
    "door_window/high": """
入户门白天关不上了 出门没法锁
台风要来了 卧室窗户关不严
""",
    "door_window/normal": """
纱窗破了个洞
卧室门关的时候有点蹭地
窗户把手松了
入户门的猫眼看不清
阳台推拉门有点卡 推起来费劲
卫生间门锁有点不好用
""",
    "wall_floor_ceiling/emergency": """
客厅天花板的石膏线整条掉下来了 差点砸到人
楼道外墙的瓷砖一块一块往下掉 下面是小孩玩的地方
""",
    "wall_floor_ceiling/normal": """
客厅墙上有一条细裂缝
卫生间地砖有几块敲着是空的
踢脚线翘起来了
阳台顶上的漆一块块掉
木地板有一块起拱了
厨房墙砖有一块裂了
""",
    "fixtures/high": """
马桶水箱一直漏水 停不下来 水费哗哗的
""",
    "fixtures/normal": """
水龙头关不紧 一直滴答
花洒的软管漏水
马桶盖板坏了
面盆的下水塞拔不起来
抽油烟机声音特别大
橱柜门合页掉了一个
台面和墙之间的胶开了
淋浴房的玻璃门合不上 胶条掉了
""",
    "public_area/high": """
小区大门的门禁坏了 业主刷卡进不来
地库出口的道闸抬不起来 车出不去
""",
    "public_area/normal": """
楼道的感应灯不亮了
单元门的闭门器坏了 门关不严
信报箱的门掉了
小区健身器材有一个断了
地库的路灯坏了好几盏
楼梯扶手松了
儿童游乐场的滑梯有个螺丝掉了
""",
    "misc/high": """
大热天中央空调不制冷了 家里有老人
地暖完全不热了 家里冰冷
""",
    "misc/normal": """
空调冷凝水管在滴水
新风系统有异味
电动晾衣架降不下来
空调孔没封好 有风灌进来
地暖有一个房间不热
空调外机噪音很大
""",
}

# Annoyed first reports: still repairs (docs/labels.md), with the category written in the key.
ANNOYED_REPAIR_ZH = {
    "door_window/normal": """
真是服了 刚收房没多久 阳台门就关不严了 麻烦派人看看
烦死了 卧室窗户把手掉了
""",
    "wall_floor_ceiling/normal": """
新房子墙就裂了 质量真让人担心 麻烦来看看
无语 地砖好几块空鼓 帮忙安排维修
""",
    "water/high": """
气死了 一回家厨房下水堵了 今天能不能来
""",
    "fixtures/normal": """
这什么破龙头 刚住进来就关不紧了 麻烦来修
""",
    "electrical/normal": """
服了 客厅的灯又不是我弄坏的 一开就不亮 麻烦来看看
""",
    "public_area/normal": """
楼道灯黑了好几天了 晚上走路很吓人 请修一下
""",
    "misc/normal": """
我真是受不了了 空调一开就滴水 请安排师傅
""",
}

COMPLAINT_ZH = {
    "normal": """
约了下午两点 等到五点没人来 打电话也没人接
你们修完的水管第二天又漏了 这修的什么
同一个问题报修了四回 每次来都说好了
你们客服说话太冲了 什么服务态度
物业经理答应给我回电话 一周了没动静
维修的时候把我家墙弄脏了 也不管
地板被泡坏了 要求你们照价赔偿
交房晚了半年 违约金到底什么时候给
装修质量这么差 我要求退房
停电都不提前通知一声 电脑里的文件全丢了
报修单显示已完成 可根本没人来过
师傅来了态度很差 还嫌我事多
你们一拖再拖 到底要拖到什么时候
开发商宣传的和实际交付的完全两回事
上次来修空调的人把外机弄坏了 谁来负责
我要投诉你们的维修师傅 收了钱没开票
这点小事来回跑了五趟 还没解决
你们把问题推给施工方 施工方又推回来 我找谁
车位被别人占了好几次 找物业也没用
修好之后没两天又裂开了 糊弄人
我都打了十几个电话了 一个管事的都没有
说好周五之前给答复 现在还没人理我
维修工上门不穿鞋套 把我家弄得一团糟
物业乱收费 这个费用凭什么要我出
工程部的人答应来复查 一个月了影子都没有
签约的时候销售承诺送车位 现在不认了
""",
    "high": """
没热水报修四天了 一个人都没来过 今天必须解决
厕所就一个 堵了三天你们还没来 家里老人怎么办
说好今天上午恢复供水 现在下午了还没水 做不了饭
冰箱那路断电修了两次还是不行 菜都要坏了 今天一定要来
""",
}

ENQUIRY_ZH = """
请问我们那栋楼现在盖到几层了
二期大概哪年能交付
想问一下贷款审批一般要多长时间
房贷的首次还款日是哪天
银行说缺材料 请问还要补什么
公积金提取要开什么证明
购房合同能不能寄一份复印件给我
合同里写的交房标准在哪里可以看到
备案合同什么时候能拿
物业费是每年交一次还是按季度
物业费发票怎么开
车位管理费多少钱一个月
维修基金交了之后有收据吗
请问不动产证是统一办理还是自己去办
办证需要交哪些税费
房产证上能不能加名字
请问去年报修的那个工单结了吗 只是问问
我前天报的漏水登记上了吗
想确认一下明天师傅几点到
请问装修押金什么时候能退
退押金需要带什么
装修可以在周末施工吗
请问小区有没有业主食堂
我们小区的物业是哪家公司
门禁卡丢了怎么补办 要多少钱
访客车辆怎么登记进小区
请问电动车能不能在楼下充电
垃圾分类几点扔
小区的快递能送上楼吗
交房的时候需要本人到场吗 可以委托吗
委托别人收房要写委托书吗
验房的时候发现问题多久能整改完
精装房的橱柜保修几年
地暖保修期是多长
电梯多久保养一次
现在已经不冒烟了 就想问下是不是正常的
窗户现在关得上了 想问问以后出问题找谁
漏水已经处理好了 想问下墙面的霉能不能保修
我想了解一下交房延期的补偿标准
交房会不会再推迟 想提前安排搬家
车位可以买两个吗
请问样板间还能参观吗
有没有团购的装修公司推荐
能不能把我的手机号换成我爱人的
业主信息怎么修改
停车月卡可以线上续费吗
请问下周停水是哪天
小区的游乐设施是几点开放
租户可以报修吗 还是要业主本人
燃气开通后需要检测吗
请问暖气费什么时候交
""".strip().splitlines()

OTHER_ZH = """
好滴 谢谢啦
收到收到
了解了
行吧
可以 就这样
好嘞 麻烦师傅了
明白了 等你们电话
辛苦辛苦
感谢感谢
多谢帮忙
好的好的 知道了
ok没问题
嗯 好
谢谢哈
👌👌
[抱拳]
[OK]
叫个人工客服来
能不能让客服给我打个电话
我不想跟机器人聊
有没有真人在
转接人工 谢谢
师傅不用上门了 我老公已经弄好了
那个报修单撤了吧 已经不漏了
是我自己没关好 现在没事了 不用来
灯泡换了就好了 不用派人了
刚才报的不用处理了 误会一场
不好意思 消息发错了
发错人了 抱歉
测试
111
。。。
新年快乐
中秋快乐 物业的各位辛苦了
今天天气真好
哈哈哈
吃了吗
晚安啦
早啊
你们辛苦了 服务很好
点赞 师傅修得很好
非常满意 谢谢
亲 在吗
喂 有人吗
稍等一下 我找下单号
我先看看 待会再说
好的 那我等着
那就这样吧
专业代办贷款 低息 加微信
恭喜您获得物业抽奖 点击领取
刷单兼职 日赚三百
""".strip().splitlines()

REPAIR_EN = {
    "water/emergency": """
a pipe under the sink just blew and water is spraying everywhere
the whole kitchen floor is under water and it's spreading to the hallway
sewage is bubbling up through the shower drain
there's no water in the entire building since this morning
water is pouring through the ceiling light from upstairs
""",
    "water/high": """
there's no hot water at all this morning
the kitchen sink is completely blocked, water won't drain
our one and only toilet won't flush, it's blocked
a pipe is dripping steadily into a bucket, i have to empty it often
""",
    "water/normal": """
the basin drains a bit slowly
there's a faint smell from the floor drain
water pressure is a little low in the kitchen
""",
    "waterproofing/high": """
rain is running down the inside of the bedroom wall right now, towels everywhere
the neighbour downstairs says water is dripping from my bathroom into their flat
""",
    "waterproofing/normal": """
there's a damp patch on the ceiling under the roof
the bedroom's outside wall gets wet whenever it rains
mould keeps growing on the wall next to the shower
""",
    "electrical/emergency": """
the socket in the kitchen is smoking and smells burnt
i touched the towel rail and got an electric shock
the switch sparked and there's a burning smell with smoke
the whole flat has no power but the corridor lights are on
""",
    "electrical/high": """
the bedroom circuit keeps tripping every few minutes
the sockets in two rooms have no power at all
the fan's off but there's still a burning smell, no smoke
""",
    "electrical/normal": """
one of the ceiling lights in the hall doesn't come on
the light switch in the bedroom is loose
a socket in the study has stopped working
""",
    "gas/emergency": """
i can smell gas in the stairwell
the gas alarm in the kitchen keeps going off
there's a hissing sound from the gas pipe and a smell
""",
    "gas/high": """
the hob just clicks and won't light, no smell of gas
none of the burners will catch
""",
    "gas/normal": """
the gas meter display is blank
""",
    "lift/emergency": """
my kids are stuck in the lift between floors
someone is trapped in lift b and not responding
""",
    "lift/high": """
both lifts in our block are out of service, nobody inside
""",
    "lift/normal": """
the lift makes a grinding noise
one of the lift buttons doesn't light up
""",
    "door_window/emergency": """
it's midnight and our front door won't lock at all
""",
    "door_window/high": """
the balcony door won't shut and a typhoon is coming tonight
the front door won't close properly, it's daytime but we need to go out
""",
    "door_window/normal": """
the window handle is loose
there's a hole in the fly screen
the bedroom door scrapes the floor
the peephole is cloudy
""",
    "wall_floor_ceiling/emergency": """
a chunk of ceiling plaster fell onto the sofa
""",
    "wall_floor_ceiling/normal": """
there's a hairline crack in the living room wall
a few floor tiles sound hollow
the skirting board is coming away
paint is flaking off the balcony ceiling
""",
    "fixtures/normal": """
the tap won't stop dripping
the shower hose leaks at the joint
the toilet seat hinge broke
the cooker hood is very loud
a kitchen cabinet hinge came off
""",
    "public_area/high": """
the car park barrier is stuck down and nobody can drive out
""",
    "public_area/normal": """
the corridor light on the 8th floor is out
the lobby door closer is broken
a piece of gym equipment in the clubhouse is broken
the playground swing chain is loose
""",
    "misc/high": """
the central air con stopped working in this heat, we have a baby
""",
    "misc/normal": """
the aircon drips water onto the floor
the fresh air system smells musty
the electric clothes rack is stuck
one room's floor heating isn't warming up
""",
}

ANNOYED_REPAIR_EN = {
    "door_window/normal": """
so annoying, we just moved in and the balcony door already doesn't close properly
""",
    "wall_floor_ceiling/normal": """
really disappointed, brand new flat and there's already a crack in the wall, please send someone
""",
    "fixtures/normal": """
ugh, the kitchen tap is wobbly already, can someone fix it
""",
    "water/high": """
fed up, the kitchen sink is blocked and i can't cook, can someone come today
""",
    "public_area/normal": """
the stairwell light has been dark for days, it's scary at night, please fix it
""",
}

COMPLAINT_EN = {
    "normal": """
we waited all afternoon and the technician never turned up
you fixed the pipe yesterday and it's leaking again already
this is the fourth time i've reported the same problem
the woman on your hotline was extremely rude to me
your manager promised to call back a week ago, nothing
the repair team damaged my wall and just left it
i want compensation for the furniture ruined by the leak
the handover penalty still hasn't been paid, what's going on
the build quality is so bad i want to return the flat
you switched the power off without telling anyone and my work was lost
the ticket says completed but nobody ever came
the repairman complained the whole time and was rude
you keep pushing it back, how long is this going to take
what we got is nothing like the show flat, this is false advertising
who's paying for the outdoor unit your guy broke
you're all passing the buck and nobody takes responsibility
i've called over ten times and no one can give me an answer
you said friday, it's tuesday and still no reply
why am i paying a fee that isn't in the contract
the salesperson promised a free parking space and now you deny it
""",
    "high": """
no hot water for four days and nobody has come, fix it today
our only toilet has been blocked three days and you still haven't come
you said the water would be back this morning, it's afternoon and still nothing
""",
}

ENQUIRY_EN = """
which floor has construction reached on our building
when is phase 3 expected to be completed
how long does mortgage approval usually take
when is my first mortgage payment due
the bank says a document is missing, which one do i need
can you post me a copy of my purchase contract
where can i see the handover specification in the contract
when will i get the registered contract
is the property fee paid yearly or quarterly
how do i get an invoice for the management fee
how much is the monthly parking management fee
will i get a receipt for the maintenance fund
do we apply for the property certificate ourselves or do you do it
what taxes do i pay for the certificate
can i add my wife's name to the certificate
just checking whether my ticket from last week was closed
did my leak report from monday get logged
what time is the technician coming tomorrow
when do we get the renovation deposit back
can renovation work be done on weekends
who is the property management company here
how do i replace a lost access card and what does it cost
how do visitors register their cars
can i charge an e-bike in the building
can someone else collect the keys for me with a letter of authorisation
how long do you have to fix issues found at inspection
how long is the warranty on the kitchen cabinets
how often is the lift serviced
the smoke's gone now, i just want to know if that's normal
the window closes fine now, who do i contact if it happens again
the leak was fixed, does the warranty cover the mould on the wall
what compensation is there if the handover is delayed
is the handover likely to slip again, i need to plan the move
can tenants report repairs or only owners
when is the planned water outage next week
what are the opening hours of the management office on sundays
""".strip().splitlines()

OTHER_EN = """
okay great
cheers
thanks a lot
thank you so much
understood
sounds good
perfect
all good
ok will wait
got it, thanks
lol
haha ok
👌
can i speak to a real person
put me through to customer service
i don't want a bot, get me a person
is there a human i can talk to
please have someone call me
no need to come, my husband sorted it
please cancel my repair request, it's working again
the light just needed a new bulb, nevermind
false alarm, ignore my last message
sorry, wrong person
sorry that was meant for someone else
test
happy new year
have a nice weekend
good evening
thanks for the quick fix, great service
the technician did a great job, thank you
give me a sec, looking for the ticket number
let me check and get back to you
earn 500 a day working from home, click the link
cheap loans, contact us on whatsapp
""".strip().splitlines()

# Faults reported now but phrased as questions or requests: still repairs (a fault now), not enquiries.
QUESTION_REPAIR_ZH = {
    "electrical/normal": """
卧室的灯坏了 能不能派个电工来看一下
请问插座没电了找谁修
客厅开关失灵了 什么时候能安排师傅
""",
    "fixtures/normal": """
厨房水龙头坏了 请问可以上门修吗
马桶冲水按钮按不下去 能来看看吗
请问淋浴花洒坏了能报修吗
""",
    "door_window/normal": """
窗户推不动了 请问多久能来人
入户门的把手掉了 能安排人修一下吗
""",
    "wall_floor_ceiling/normal": """
墙上开了条缝 请问能来看看吗
卫生间瓷砖裂了 可以报修吗
""",
    "water/normal": """
洗手台下水很慢 能派人通一下吗
""",
    "water/high": """
热水器不出热水了 今天能来人吗
""",
    "waterproofing/normal": """
阳台墙角渗水 请问能安排检查一下吗
""",
    "public_area/normal": """
我们单元门口的灯不亮 能不能修一下
地库有个消防通道门坏了 谁来修
""",
    "lift/normal": """
电梯门关的时候有异响 能找人看看吗
""",
    "misc/normal": """
空调不制冷了 请问怎么报修
新风机不转了 能派人来吗
""",
}

QUESTION_REPAIR_EN = {
    "electrical/normal": """
the bedroom light has stopped working, can you send an electrician?
a socket in the kitchen is dead, who do i ask to fix it?
""",
    "fixtures/normal": """
the kitchen tap is broken, could someone come and fix it?
the flush button is stuck, can you send someone?
""",
    "door_window/normal": """
the window won't slide open, when can someone come?
the door handle fell off, can you arrange a repair?
""",
    "wall_floor_ceiling/normal": """
there's a new crack in the wall, could someone take a look?
""",
    "water/normal": """
the basin is draining slowly, can you unblock it?
""",
    "water/high": """
no hot water since last night, can someone come today?
""",
    "public_area/normal": """
the light outside our block entrance is out, can you fix it?
""",
    "misc/normal": """
the air con isn't cooling, how do i get it repaired?
""",
}

COMPLAINT_MORE_ZH = """
卫生间漏水你们来看过两次了 还是在滴 到底能不能修好
电梯三天两头坏 修了等于没修
插座上次换完又没电了 你们的人水平太差
窗户报修快一个月了 一直说没配件
说是周三来修门锁 结果一直没人 也不通知一声
墙面裂缝补了又裂 要求找专业的人来
燃气灶修过以后还是打不着 白花了上门费
漏水把楼下泡了 你们拖着不处理 现在楼下找我索赔
楼道灯坏了半个月 报了三次都没人管
维修师傅修完马桶 地上全是污水也不擦
热水器修完第二天又坏了 这个钱得退给我
同样的空鼓问题 今年已经修了两回
你们的保洁把我门口的东西扔了 要赔
物业收了维修费 活却干得一塌糊涂
""".strip().splitlines()

COMPLAINT_MORE_EN = """
you've been out twice for the bathroom leak and it's still dripping
the lift breaks down every other day, your repairs do nothing
the socket you replaced is dead again, your staff don't know what they're doing
i reported the window a month ago and you keep saying no parts
you said wednesday for the lock, nobody came and nobody called
the crack was patched and it cracked again, send someone who knows what they're doing
the hob still won't light after your visit and you charged me for it
the corridor light has been out for two weeks, i've reported it three times
the plumber left dirty water all over my floor
the water heater broke again the day after the repair, i want my money back
""".strip().splitlines()

OTHER_QUESTION_ZH = """
能帮我转一下人工吗
可以换个真人跟我说吗
是机器人在回复吗
有没有人在线
请问可以打电话联系我吗 不想打字
能不能让刚才那个师傅加我微信
是不是我发错地方了
刚才那条能撤回吗 发错了
那我就等你们通知了哈
行 那就这样 谢谢
好的 那明天见
收到 辛苦了 师傅几点到都行
""".strip().splitlines()

OTHER_QUESTION_EN = """
can i talk to an actual person?
are you a robot?
is anybody there?
could someone just phone me instead?
did i send this to the wrong chat?
can you ignore my last message? it was a mistake
ok, i'll wait for your call then
alright, see you tomorrow
great, any time tomorrow is fine, thanks
""".strip().splitlines()

# Fault words that are not a fault now: negated, resolved, hypothetical or general questions.
ENQUIRY_FAULTWORD_ZH = """
现在不漏了 请问这种情况保修期内免费修吗
插座现在正常了 想问下以后再跳闸找谁
如果下雨天窗户渗水 应该找物业还是开发商
电梯要是坏了 报修电话是多少
请问空鼓属于保修范围吗
墙面裂缝多宽才算质量问题
马桶堵了一般是物业修还是自己找人
燃气报警器需要自己买吗
请问热水器是物业负责维修吗
新房子防水做了几层 想了解一下
""".strip().splitlines()

ENQUIRY_FAULTWORD_EN = """
it's stopped leaking now, would a repair still be free under warranty?
the socket works again, who should i call if it trips in future?
if the window leaks when it rains, is that management or the developer?
what number do i call if the lift breaks down?
are hollow tiles covered by the warranty?
how wide does a crack have to be to count as a defect?
is a blocked toilet fixed by management or do i find my own plumber?
do i have to buy my own gas alarm?
""".strip().splitlines()

ENQUIRY_MORE_EN = """
any news on when we can move in?
just wondering when the keys will be ready
is there an update on the handover schedule
quick question about the property fee
i'd like to know how the maintenance fund works
could you tell me when the certificate will be issued
what's the process for transferring the mortgage to another bank
how much is the deed tax
does the contract cover the balcony area
where do i sign the final contract
is the show flat open this weekend
can i pay the parking fee online
what's the current progress on block 9
are the roads in the estate finished yet
how long will the water outage last tomorrow
who do i contact about my loan documents
what's the warranty on the wooden floor
i'm curious whether the lifts have passed inspection
has my ticket been assigned to anyone yet, no hurry
could you check whether my repair is scheduled
it doesn't leak any more, how long is the warranty though
there's no problem now, i just want to know who to call next time
""".strip().splitlines()

COMPLAINT_MORE_EN2 = """
the handover is months late and nobody will tell us why, i want an answer now
two visits and the heater still doesn't work, this is ridiculous
i'm sick of chasing you about the same leak
your contractor never showed and didn't even apologise
we were promised underfloor heating and it's not there
i demand compensation for the water damage your delay caused
the management fee went up and the service got worse
nobody warned us about the gas shut-off, dinner was ruined
you marked my repair as done but the crack is still there
your staff hung up on me twice
""".strip().splitlines()

COMPLAINT_MORE_ZH2 = """
交房拖了这么久 一个解释都没有 今天必须给答复
来了两趟热水器还是坏的 太离谱了
同一处漏水我追了你们三个月
约好的师傅放鸽子 连个道歉都没有
说好送地暖 交房一看根本没有
因为你们拖着不修 我家地板全泡坏了 必须赔
物业费涨了 服务反而更差了
停燃气一声招呼都不打 饭做到一半
工单显示已处理 裂缝还在那里
客服连着挂了我两次电话
""".strip().splitlines()
