"""Second held-out batch (test_new split), hand-written in November 2026 after the fourth training batch.

Whole messages, one per line as ``label | text`` (labels as in ``bank_adversarial``). Written fresh, not derived
from any training bank, frame or the first test split; never used for training or tuning.
"""

TEST_NEW = """
repair+water+emergency | 隔壁装修把我家进户水管打穿了 水在往外呲
repair+water+emergency | 马桶里的粪水漫出来了 整个卫生间都是
repair+water+high | 今天早上开始就没有热水了 洗漱都是冷水
repair+water+normal | 厨房水槽下水有点慢 方便时来看看
repair+waterproofing+normal | 这两天下雨 主卧靠外墙那边踢脚线发黑了
repair+waterproofing+high | 楼下住户上来说我家卫生间漏到他们家了 现在还在滴
repair+electrical+emergency | 电视后面的插排滋滋响还冒白烟
repair+electrical+high | 厨房插座那一路一直跳 冰箱用不了
repair+electrical+normal | 次卧的吸顶灯开了不亮
repair+gas+emergency | 早上起来厨房一股煤气味 已经开窗了
repair+gas+high | 灶打不着 咔哒咔哒响 没闻到味道
repair+lift+emergency | 我爸被关在电梯里了 电梯停在半截
repair+lift+normal | 2号电梯的楼层按键有个按不亮
repair+door_window+emergency | 凌晨两点 入户门的锁芯坏了锁不上 一家人不敢睡
repair+door_window+normal | 主卧的纱窗框松了
repair+door_window+emergency | 窗扇的合页断了一个 整扇窗吊在外面晃 下面是人行道
repair+wall_floor_ceiling+normal | 次卧墙角有一道斜着的裂纹
repair+wall_floor_ceiling+normal | 客厅地砖踩上去咚咚响 像是空的
repair+fixtures+normal | 洗手盆的龙头拧到底还在滴水
repair+fixtures+normal | 厨房吊柜的门歪了 关不上
repair+public_area+normal | 我们楼下的信箱锁坏了
repair+public_area+normal | 车库B区有几盏灯不亮 黑乎乎的
repair+other+normal | 客厅中央空调出风口在滴水
repair+other+normal | 电动晾衣杆按了没反应
repair+fixtures+normal | 气死了 刚住一个月 马桶水箱就一直响 麻烦派人
repair+door_window+normal | 新房的阳台窗户关不严 有点漏风 什么时候能来看
complaint+none+normal | 我的报修单挂了两个礼拜 连个电话都没有
complaint+none+normal | 你们师傅上次修的下水又堵了 白修了
complaint+none+normal | 工程部的人说话很难听 我要投诉他
complaint+none+normal | 我家的墙被你们维修弄花了 要给我重新刷
complaint+none+normal | 合同写的是六月交房 现在十一月了 违约金呢
complaint+none+normal | 今天突然停水 一点通知都没有 太不负责了
complaint+none+high | 热水器坏了报了四天 一直说配件没到 冬天洗冷水澡谁受得了 今天必须修
complaint+none+normal | 修了三回的窗户 今天又漏风了 你们到底行不行
enquiry+none+normal | 想问下我们这栋的外立面什么时候拆架子
enquiry+none+normal | 房贷放款了没有 能帮忙查一下吗
enquiry+none+normal | 网签合同在哪里可以下载
enquiry+none+normal | 物业费能不能按月交
enquiry+none+normal | 请问办房产证要交多少钱
enquiry+none+normal | 我上周报的维修现在到哪一步了 不着急
enquiry+none+normal | 之前漏水已经修好了 想问问保修还剩多久
enquiry+none+normal | 请问小区业主可以带宠物进电梯吗
enquiry+none+normal | 地下车位是出售还是只租
enquiry+none+normal | 交房前能不能预约看一下房子
other+none+normal | 嗯嗯 明白了
other+none+normal | 好的呀 辛苦
other+none+normal | 谢啦 师傅修得挺好
other+none+normal | 帮我找个人工吧
other+none+normal | 不麻烦了 我自己把灯泡换了
other+none+normal | 抱歉 打错字了 上面那句不算
other+none+normal | 限时优惠 低息贷款 私聊
other+none+normal | 周末愉快
repair+water+emergency | water is gushing out from under the kitchen cabinet
repair+water+high | we've had no hot water since yesterday evening
repair+waterproofing+normal | there's a damp stain spreading on the bedroom ceiling near the outside wall
repair+electrical+emergency | the extension lead is crackling and there's smoke
repair+electrical+normal | the hallway light switch doesn't do anything
repair+gas+emergency | strong gas smell on the landing outside our door
repair+lift+emergency | my son is stuck inside the lift, it won't move
repair+door_window+normal | the sliding door to the balcony keeps jumping off its track
repair+wall_floor_ceiling+normal | there's a long crack along the ceiling in the lounge
repair+fixtures+normal | the shower head is cracked and sprays sideways
repair+public_area+normal | the barrier at the car park exit is broken, it stays up
repair+other+normal | the air conditioner in the master bedroom is leaking water
repair+door_window+normal | honestly annoyed, we only got the keys last week and the window latch is already broken
complaint+none+normal | i booked a slot for saturday and nobody came, again
complaint+none+normal | the plumber you sent made it worse and left
complaint+none+normal | your front desk staff were dismissive and rude
complaint+none+normal | we were told handover in june, it's november, where's the compensation
complaint+none+high | four days without hot water and you keep saying the part is coming, fix it today
enquiry+none+normal | when will the scaffolding come down on our block
enquiry+none+normal | could you check if my loan has been released
enquiry+none+normal | can the property fee be paid monthly
enquiry+none+normal | how much does the property certificate cost
enquiry+none+normal | the leak was repaired earlier, how long is left on the warranty
enquiry+none+normal | are pets allowed in the lifts
other+none+normal | brilliant, thanks
other+none+normal | can i get a human please
other+none+normal | never mind, i changed the bulb myself
other+none+normal | sorry, typo, ignore the above
other+none+normal | have a good weekend
"""
