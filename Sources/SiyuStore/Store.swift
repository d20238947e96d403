import SiyuCore
