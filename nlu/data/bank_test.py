"""Hand-written phrases for the held-out TEST split.

Written separately from the training banks, with different wording, and wrapped in different frames by
generate.py, so the test figures measure generalisation rather than template recall.
"""

REPAIR_ZH = {
    "water/emergency": """
主卧卫生间进水管炸开了 喷得到处都是
家里地上的水已经没过脚踝了
天花板像下雨一样 楼上的水一直往我家流
下水道往外冒脏东西 臭得不行 厕所全淹了
没水了 全家一点水都没有 做饭冲厕所都不行
阀门关不住 水管的水呲出来了
楼上漏水漏到我家客厅 水顺着吊灯往下滴成一条线
洗衣机后面的水管脱落 卫生间淹了 水流到卧室了
一楼的化粪池往家里返 满地都是
今天早上开始整个单元都停水了
""",
    "water/high": """
热水出不来 一家人没法洗澡
燃气热水器只出凉水
马桶冲不下去 家里没有第二个厕所
厨房洗菜盆的水下不去 堵住了
水管有个地方在渗 底下放了脸盆接水
天气这么冷 热水一点都没有
""",
    "water/normal": """
卫生间面盆下水不太顺
地漏反臭 特别是晚上
自来水有点浑
洗澡的时候下水慢 会积一点水
""",
    "waterproofing/high": """
下雨了 阳台顶上一直往下滴水 接了一盆了
楼下阿姨上来说我家卫生间的水漏到她家厨房 现在还在滴
""",
    "waterproofing/normal": """
楼下邻居反映说我家厕所渗水到他家顶上
外墙有渗水的痕迹 卧室墙纸都湿了起泡
卫生间隔壁的墙根一片霉斑
一下雨次卧窗边的墙就潮
""",
    "electrical/emergency": """
插头一插进去就噼啪冒火星子
开关面板里有烟冒出来 一股塑料烧焦的味
用手碰水龙头有电 麻手
家里突然全黑了 总闸合不上 隔壁都有电
电箱着火了 有黑烟
""",
    "electrical/high": """
书房和主卧的插座全都没电了
用电磁炉就跳闸 反复好几次了
半个屋子断电了 另一半正常
""",
    "electrical/normal": """
厕所的灯开关坏了
次卧顶灯不亮
有一个五孔插座松松垮垮的
玄关的灯偶尔闪
""",
    "gas/emergency": """
厨房里有股臭鸡蛋味 像是燃气
闻到好浓的煤气味 总阀关了还是有味
燃气报警器嘀嘀嘀一直叫
楼梯间一股天然气味 好呛
灶台那有漏气的声音 还有味道
""",
    "gas/high": """
灶打不着火了 也没闻到什么异味
燃气灶一直咔哒咔哒 就是不着
炉灶点不燃 试了好多次 没有气味
""",
    "gas/normal": """
燃气表没显示了 不知道余额
燃气管子外面的套子裂了
""",
    "lift/emergency": """
我老公被关电梯里了 电梯停在十几楼中间
电梯突然停了 我跟孩子在里面 出不去
有个老人困在2号电梯里 喊了半天
""",
    "lift/high": """
电梯一直停在一楼不动 没有人被困
电梯坏了 今天上不去楼 住在30层
""",
    "lift/normal": """
电梯里的按键有几个不亮
电梯上下的时候晃得厉害还有声音
电梯的液晶屏黑屏了
""",
    "door_window/emergency": """
晚上回家发现防盗门锁不上了 今晚怎么睡
入户门的锁舌弹不出来 门锁不了 现在已经半夜
客厅窗户整个框子松动 随时要掉下楼去
""",
    "door_window/high": """
入户门关不上 现在是中午 要上班
马上刮台风了 主卧窗户合不拢
""",
    "door_window/normal": """
房间门把手掉了
纱窗网掉了一角
阳台推拉门滑轨不顺
门有点下沉 关的时候蹭地
窗户密封胶开裂了
""",
    "wall_floor_ceiling/emergency": """
卧室顶上的一大块石膏掉下来砸在床上
外立面的砖掉下来 砸坏了楼下的车
""",
    "wall_floor_ceiling/normal": """
厨房地面的瓷砖有空鼓
客厅墙面有几条小裂纹
次卧墙上的乳胶漆一块块掉
木地板有几块翘起来了
卫生间墙砖有条裂缝
""",
    "fixtures/high": """
洗菜盆的龙头拧不住了 水一直哗哗流 总阀关了暂时
""",
    "fixtures/normal": """
龙头一直漏水滴个不停
马桶冲水按键回弹不了
油烟机吸力很小 还有噪音
吊柜门歪了
淋浴喷头裂了
卫生间的置物架松了
""",
    "public_area/emergency": """
小区路上有个下水道盖子不见了 很危险
""",
    "public_area/high": """
车库道闸坏了 出口的车都堵住了
单元楼下的门禁打不开 进不了楼
""",
    "public_area/normal": """
我们这层楼道的灯不亮
小区里好几盏路灯晚上不亮
信报箱的锁坏了
游乐场的秋千链子断了
""",
    "misc/high": """
地暖一点都不热 屋里冷得要命 家里有老人
""",
    "misc/normal": """
空调的冷凝水往阳台上滴
新风机开起来嗡嗡响
晾衣架遥控没反应
中央空调有一个出风口不出风
""",
}

REPAIR_EN = {
    "water/emergency": """
water is spraying everywhere from a broken pipe
our kitchen is under water, the pipe split open
the upstairs flat is leaking through our ceiling like a tap
raw sewage is coming up through the shower drain
we've got zero water in the apartment since this morning
""",
    "water/high": """
haven't had hot water since yesterday
the only loo we have is clogged
kitchen drain is completely clogged
there's a slow leak under the sink, i've got a bucket under it
""",
    "water/normal": """
the basin takes ages to drain
there's a bad smell from the drain in the bathroom
""",
    "waterproofing/normal": """
downstairs neighbour says my bathroom leaks into their flat, there's a damp mark
the wall next to the window gets wet whenever it rains
""",
    "waterproofing/high": """
rain is coming through the roof right now, dripping into a bucket
""",
    "electrical/emergency": """
there are sparks coming from the plug socket
smoke coming from behind the switch
my son got a shock from the light switch
the power is out in the whole flat, neighbours have power
""",
    "electrical/high": """
half the sockets in the flat have no power
the circuit breaker trips every time we turn on the kettle
""",
    "electrical/normal": """
the hallway light switch is broken
one of the ceiling lights doesn't work
""",
    "gas/emergency": """
there's a gas smell in the flat
the whole stairwell smells of gas
there's a rotten egg smell near the stove
""",
    "gas/high": """
the stove won't ignite and there's no smell of gas
the cooker burners won't catch, no gas smell at all
""",
    "gas/normal": """
the gas meter screen stopped working
""",
    "lift/emergency": """
my dad is stuck inside the elevator
people are trapped in lift 2
""",
    "lift/high": """
the lift is out of service, no one is stuck but we're on the 28th floor
""",
    "lift/normal": """
the lift makes a loud banging noise
some of the buttons in the elevator don't light up
""",
    "door_window/emergency": """
it's midnight and our front door won't lock
the lock on our entrance door just broke tonight, we can't secure it
""",
    "door_window/high": """
front door won't shut, it's the afternoon, need it done before tonight
a storm is coming and the living room window won't close
""",
    "door_window/normal": """
the door handle fell off
the fly screen is torn
the balcony sliding door is hard to open
""",
    "wall_floor_ceiling/emergency": """
a chunk of the ceiling just fell onto the bed
""",
    "wall_floor_ceiling/normal": """
some tiles in the kitchen are hollow
small cracks in the bedroom wall
paint is flaking off the ceiling
""",
    "fixtures/normal": """
the bathroom tap drips all night
the extractor hood makes a rattling sound
the cabinet hinge is broken
""",
    "public_area/emergency": """
there's an open manhole by the main gate with no cover
""",
    "public_area/high": """
the car park barrier is stuck and there's a queue of cars
""",
    "public_area/normal": """
the stairwell light on our floor is out
some of the street lamps in the estate don't work
""",
    "misc/normal": """
the aircon drips water onto the balcony
the ventilation unit is very loud
""",
}

COMPLAINT_ZH = {
    "normal": """
约了师傅今天下午两点上门 到现在五点了人影都没见
同一个地方漏水修了好几次了 根本没修好 你们怎么回事
你们那个客服说话太冲了 什么态度
去年就报了墙面裂缝 到现在一直拖着
突然停电不提前通知 我家鱼缸的鱼都死了
维修的时候把我家墙弄脏了也不管
交房标准跟样板间完全两回事 必须给说法
说好的赔偿款到现在都没打过来
我要退房 这房子质量太差了
工单显示已完成 可实际上根本没人来过
修完才两天 又开始渗水了 什么质量
物业收费这么高 服务一点都跟不上
维修师傅上门还收我上门费 这合理吗
交房推迟了半年 违约金到底什么时候给
装修队半夜还在施工 投诉了也没人管
""",
    "high": """
没热水第四天了 一直说配件没到 今天必须给我修好
就一个厕所堵了三天 你们的人一直不来
报修停水到现在两天了还没恢复 家里没法生活
""",
}

COMPLAINT_EN = {
    "normal": """
you booked a visit for 2pm and nobody came, nobody called
the same leak has been fixed three times and it's back again
the customer service guy hung up on me
i've been chasing this crack for months and you keep delaying
the power was cut with no warning and all our food spoiled
i want compensation for the damage your workers caused
""",
    "high": """
day four without hot water and you keep saying the part hasn't arrived
our only toilet has been blocked for three days and still nobody has come
""",
}

ENQUIRY_ZH = """
想咨询一下交房时间定了吗
二期现在盖到几层了
房屋的保修期是怎么规定的
卫生间防水保几年啊
什么时候可以办房本
办产权证要交哪些费用
物业费能一次交一年吗
地下车位怎么卖的
车位出租多少钱一个月
我的按揭贷款审批到哪一步了
收房那天要带身份证吗
请问我的报修单现在什么状态了
现在已经不漏水了 我就问下以后还能保修吗
之前的裂缝没事了 想问下墙面保修多久
门禁卡丢了怎么补办
燃气开户在哪里办
装修要交押金吗 多少钱
小区可以养狗吗
物业办公室在哪栋楼
装修能不能动承重墙 想问问
交房是精装还是毛坯
我想问问业主大会什么时候开
天然气什么时候通
维修基金在哪里交
购房发票什么时候给
""".strip().splitlines()

ENQUIRY_EN = """
do you know when the keys will be handed over
how far along is the construction
what does the warranty cover and for how long
when can i get my property ownership certificate
is there a monthly option for parking
can i pay the management fee online
just checking on my repair ticket, no rush
the leak stopped, i just want to know how long the warranty lasts
where is the management office
are pets allowed in the building
what's the deposit for renovation work
""".strip().splitlines()

OTHER_ZH = """
好嘞
收到收到
好的好的 谢谢
行 知道了
多谢
谢啦
ok的
嗯 好
您好
请问有人在吗
转个人工
我要人工
找个真人跟我说
不用麻烦了 我已经自己修好了
刚报的那个不用来了 好了
单子撤销吧 不需要了
发错了 不好意思
早
再见
代开发票 低价优惠
""".strip().splitlines()

OTHER_EN = """
okay
thx
cheers
got it thanks
hey
is anybody there
can i speak to an agent
human please
never mind, it's sorted now, no need to come
please cancel my request
oops wrong chat
see you
""".strip().splitlines()
