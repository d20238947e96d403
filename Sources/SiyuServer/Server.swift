import SiyuStore
