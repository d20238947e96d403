import SiyuServer
print("siyu")
