# ruff: noqa: E501  (one whole message per line)
"""Held-out register split (``test_registers``), written by hand for issue 12 AFTER the fifth training batch,
by a different pass over the phenomena (not derived from any training line). Never trained on; used to choose
model settings instead of the real evaluation set. One message per line as ``label | text``.
"""

TEST_REGISTERS = """
complaint+none+normal | 致开发商：贵司在宣传册中注明的小区会所及恒温泳池至今未见踪影，已严重违背购房时的承诺，望尽快给业主一个明确答复。
complaint+none+normal | 停车位一个卖二十多万，比旁边小区贵一倍，还不准业主租，这不是逼着买吗？
complaint+none+normal | 入住两年了不动产权证还办不下来，每次去问都说开发商资料没交齐，我们到底找谁？
complaint+none+normal | 你们这个维修效率真的服了，一个水龙头换了三回还是滴。
complaint+none+normal | 小区一下雨就停电，一年到头不知道停多少回，物业从来不解释原因。
complaint+none+normal | 之前电梯困人的事你们说要给个处理结果，两个月过去了一点消息都没有。
complaint+none+normal | 去年冬天暖气管爆了泡坏了我家的柜子，到现在都没赔。
complaint+none+normal | 物业管家态度极差，我反映问题他直接挂我电话。
complaint+none+normal | 小区的公共收益从来不公开，业主问了也不给看账本。
complaint+none+normal | 装修的时候物业强制收取垃圾清运费三千元，还不给开发票。
complaint+none+normal | 我跟你们讲啊 这个楼道灯坏了快一年了 我天天摸黑上楼 讲了八百遍了
complaint+none+normal | 精装房的地板全是劣质复合板，跟样板间完全两回事，花了精装的钱住了个毛坯的质量。
complaint+none+normal | 延期交房一年多了，开发商一分钱违约金都不给，还让我们签放弃索赔的协议。
complaint+none+normal | The developer told us the metro station would open before handover. It's two years later and there's nothing.
complaint+none+normal | Third email about the broken intercom. Still nothing, not even a reply.
complaint+none+normal | Management keeps closing my ticket about the flickering corridor light without fixing it.
complaint+none+normal | We were charged twice for the parking permit and no one will refund it.
complaint+none+high | 停水第三天了 家里老人要吃药连口开水都没有 你们到底什么时候恢复
complaint+none+high | The lift in block C has been broken for ten days, I'm on crutches on the 15th floor. This cannot go on.
repair+public_area+normal | 小区东侧围墙边的路灯有三盏不亮了，晚上遛狗看不清路。
repair+public_area+normal | 楼下的垃圾桶盖子坏了，合不上。
repair+public_area+normal | 车库里有个消防栓箱门掉了。
repair+public_area+normal | 地下车库C区的一个雨水井盖板有点翘，开车压过去会响。
repair+public_area+normal | The light at the bottom of the garage ramp is out.
repair+public_area+normal | There's a pothole at the estate entrance, cars are swerving around it.
repair+public_area+normal | Street lamp number 14 on the inner ring road is not turning on at night.
repair+public_area+high | 楼顶天台的门锁坏了，门一直开着，小孩能跑上去，今天能来修吗。
repair+public_area+emergency | 人行道中间一个井盖没了，黑咕隆咚一个洞，刚才有个老人差点踩进去。
repair+public_area+emergency | The parking barrier dropped on a man's head as he walked under it, he's bleeding and the arm is still moving.
repair+public_area+emergency | A child's foot is stuck in the gap of the escalator-style moving walkway at the mall entrance of our estate.
repair+electrical+emergency | 路边的电线被车刮断了，一头落在地上，旁边都是放学的学生。
repair+electrical+emergency | Power lines are lying on the footpath next to block 4 after the storm.
repair+electrical+emergency | 整栋楼都停电了 从中午到现在 电梯也停了 八十岁的老人在二十楼下不来
repair+gas+emergency | 家里的一氧化碳报警器响了，我们全家都有点头疼。
repair+gas+emergency | Our CO alarm went off twice in ten minutes, we're standing outside now.
repair+wall_floor_ceiling+emergency | 卫生间吊顶的铝扣板掉下来一块，剩下的也在往下坠，上面好像有水。
repair+wall_floor_ceiling+emergency | 外墙的一块大理石装饰板松了挂在三楼，下面是小区的出入口。
repair+wall_floor_ceiling+emergency | Part of the ceiling in the children's room collapsed onto the cot, luckily the baby wasn't in it. More is sagging.
repair+door_window+emergency | 高层有块玻璃炸了，碎片往楼下掉，下面是停车场。
repair+door_window+emergency | The glass panel of our balcony balustrade has shattered and pieces are hanging over the street.
repair+water+emergency | 水漫金山了 楼上的水管裂了 我家天花板像下雨一样
repair+water+emergency | 整个小区停水一天了，家里一滴水都没有了。
repair+water+emergency | Sewage is gushing out of the floor drain in the laundry, the floor is covered.
repair+water+normal | 洗菜池下面的下水管接口有点渗水，放了个盆接着。
repair+water+high | 马桶堵了 家里就这一个厕所
repair+water+high | No hot water in the flat since this morning.
repair+electrical+normal | 阳台的灯不亮了 换了灯泡也不行
repair+electrical+high | The sockets in the living room stopped working, the fuse keeps tripping when I reset it.
repair+wall_floor_ceiling+normal | 墙角的踢脚线脱开了一段。
repair+wall_floor_ceiling+normal | There's a crack running along the bedroom ceiling, it's thin and hasn't changed.
repair+waterproofing+normal | 下大雨的时候，飘窗的窗台下面会渗水进来。
repair+fixtures+normal | 马桶水箱一直在流水的声音，按钮按下去弹不上来。
repair+fixtures+normal | The kitchen cabinet door hinge is broken and it hangs crooked.
repair+door_window+normal | 卧室门关上以后锁舌弹不出来了。
repair+door_window+high | 台风明天到，我家客厅窗户的锁扣断了，关不紧，今天能来吗
repair+lift+normal | The lift stops about 2 cm below the floor on level 7, people trip.
repair+lift+emergency | 电梯门夹住了我儿子的书包，他人被拖着，门打不开了
repair+other+normal | 客厅的中央空调不制冷了。
enquiry+none+normal | 请问我家的房产证办好了吗？去哪里领？
enquiry+none+normal | 想问下车位现在还能不能买，是产权车位吗？
enquiry+none+normal | 请问交房的具体时间定了吗？
enquiry+none+normal | 我想问一下这个小区划的是哪个小学
enquiry+none+normal | 请问天然气开通要预约吗
enquiry+none+normal | 你好 物业费能不能按月交
enquiry+none+normal | 之前报的那个墙面裂缝的单子有进度了吗？不急，问一下。
enquiry+none+normal | When will the title deeds for our building be issued?
enquiry+none+normal | Can tenants get a parking permit or only owners?
enquiry+none+normal | Is there a maintenance fee for the lifts separate from the service charge?
other+none+normal | 请问去火车站坐几路车？
other+none+normal | 我想咨询一下残疾证怎么办理。
other+none+normal | 谢谢你们的维修师傅，态度特别好，修得也快。
other+none+normal | 不好意思 刚才那条发错了
other+none+normal | 好的呀 知道啦
other+none+normal | How can I get a copy of my birth certificate translated?
other+none+normal | thanks guys, all sorted now
other+none+normal | wrong number sorry
"""
